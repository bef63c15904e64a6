//! Tokens of the `conditions` query language: `url contains "x" and id in (1,2)`.

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    /// A field path (`status/id`) or a keyword (`and`, `contains`, `true`, …).
    Word(String),
    /// A quoted string, quotes removed.
    Text(String),
    Number(f64),
    /// A `[2026-01-01T00:00:00Z]` date, brackets removed.
    Date(String),
    /// `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`.
    Compare(String),
    Open,
    Close,
    Comma,
}

pub fn tokens(input: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let (token, next) = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => (Token::Open, i + 1),
            ')' => (Token::Close, i + 1),
            ',' => (Token::Comma, i + 1),
            '"' | '\'' => quoted(&chars, i)?,
            '[' => date(&chars, i)?,
            '=' | '!' | '<' | '>' => compare(&chars, i)?,
            _ if c.is_ascii_digit() || c == '-' || c == '.' => number(&chars, i)?,
            _ if c.is_alphanumeric() || c == '_' => word(&chars, i),
            _ => return Err(format!("Unexpected character '{c}' at position {i}.")),
        };
        out.push(token);
        i = next;
    }
    Ok(out)
}

fn quoted(chars: &[char], start: usize) -> Result<(Token, usize), String> {
    let quote = chars[start];
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            // A doubled quote stands for one, as in SQL; a backslash escapes the next char.
            c if c == quote && chars.get(i + 1) == Some(&quote) => {
                text.push(quote);
                i += 2;
            }
            c if c == quote => return Ok((Token::Text(text), i + 1)),
            '\\' if i + 1 < chars.len() => {
                text.push(chars[i + 1]);
                i += 2;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err("Unterminated string in conditions.".to_string())
}

fn date(chars: &[char], start: usize) -> Result<(Token, usize), String> {
    let end = chars[start..]
        .iter()
        .position(|c| *c == ']')
        .ok_or("Unterminated date in conditions.")?;
    let text: String = chars[start + 1..start + end].iter().collect();
    Ok((Token::Date(text.trim().to_string()), start + end + 1))
}

fn compare(chars: &[char], i: usize) -> Result<(Token, usize), String> {
    let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
    if ["!=", "<>", "<=", ">="].contains(&two.as_str()) {
        return Ok((Token::Compare(two), i + 2));
    }
    match chars[i] {
        '!' => Err(format!("Unexpected character '!' at position {i}.")),
        c => Ok((Token::Compare(c.to_string()), i + 1)),
    }
}

fn number(chars: &[char], start: usize) -> Result<(Token, usize), String> {
    let mut i = start + 1;
    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
        i += 1;
    }
    let text: String = chars[start..i].iter().collect();
    text.parse()
        .map(|n| (Token::Number(n), i))
        .map_err(|_| format!("Invalid number '{text}' in conditions."))
}

fn word(chars: &[char], start: usize) -> (Token, usize) {
    let mut i = start;
    while i < chars.len() && (chars[i].is_alphanumeric() || "_/.".contains(chars[i])) {
        i += 1;
    }
    (Token::Word(chars[start..i].iter().collect()), i)
}
