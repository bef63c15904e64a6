//! Parses `conditions` into an expression: `or` binds looser than `and`, parentheses group,
//! `not` negates, and a comparison is `path op value` or `path [not] in (v, …)`.

use super::lexer::Token;

/// A literal on the right of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
    Date(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    Like,
}

/// A parsed condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Compare(String, Operator, Literal),
    In(String, Vec<Literal>),
}

pub struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    pub fn new(tokens: Vec<Token>) -> Parser {
        Parser { tokens, at: 0 }
    }

    /// The whole input as one expression.
    pub fn all(mut self) -> Result<Expr, String> {
        let e = self.or()?;
        match self.tokens.get(self.at) {
            None => Ok(e),
            Some(t) => Err(format!("Unexpected {t:?} in conditions.")),
        }
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.and()?];
        while self.peek_word("or") {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.unary()?];
        while self.peek_word("and") {
            self.at += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.tokens.get(self.at) == Some(&Token::Open) {
            self.at += 1;
            let e = self.or()?;
            return match self.next() {
                Some(Token::Close) => Ok(e),
                _ => Err("Missing ')' in conditions.".to_string()),
            };
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let path = match self.next() {
            Some(Token::Word(w)) => w,
            other => return Err(format!("Expected a field name, found {other:?}.")),
        };
        let negated = self.peek_word("not");
        if negated {
            self.at += 1;
        }
        let op = match self.next() {
            Some(Token::Compare(c)) if !negated => compare_op(&c)?,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("contains") => Operator::Contains,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("like") => Operator::Like,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("in") => {
                let e = Expr::In(path, self.list()?);
                return Ok(if negated { Expr::Not(Box::new(e)) } else { e });
            }
            other => {
                return Err(format!(
                    "Expected an operator after {path}, found {other:?}."
                ))
            }
        };
        let e = Expr::Compare(path, op, self.literal()?);
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn list(&mut self) -> Result<Vec<Literal>, String> {
        if self.next() != Some(Token::Open) {
            return Err("Expected '(' after in.".to_string());
        }
        let mut items = vec![self.literal()?];
        loop {
            match self.next() {
                Some(Token::Comma) => items.push(self.literal()?),
                Some(Token::Close) => return Ok(items),
                other => return Err(format!("Expected ',' or ')' in a list, found {other:?}.")),
            }
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Text(s)) => Ok(Literal::Text(s)),
            Some(Token::Number(n)) => Ok(Literal::Number(n)),
            Some(Token::Date(d)) => Ok(Literal::Date(d)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            other => Err(format!("Expected a value, found {other:?}.")),
        }
    }
}

fn compare_op(c: &str) -> Result<Operator, String> {
    Ok(match c {
        "=" => Operator::Eq,
        "!=" | "<>" => Operator::Ne,
        "<" => Operator::Lt,
        "<=" => Operator::Le,
        ">" => Operator::Gt,
        ">=" => Operator::Ge,
        other => return Err(format!("Unknown operator {other}.")),
    })
}
