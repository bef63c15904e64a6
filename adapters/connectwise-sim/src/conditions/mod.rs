//! The `conditions` query language of list endpoints, evaluated against REST JSON. String
//! comparisons ignore case, as ConnectWise's SQL Server collation does.

mod lexer;
mod parse;

use crate::json::get_path;
use parse::{Expr, Literal, Operator, Parser};
use serde_json::Value;
use std::cmp::Ordering;

/// A parsed `conditions` parameter.
#[derive(Clone, Debug)]
pub struct Conditions(Expr);

impl Conditions {
    pub fn parse(text: &str) -> Result<Conditions, String> {
        Parser::new(lexer::tokens(text)?).all().map(Conditions)
    }

    pub fn matches(&self, item: &Value) -> bool {
        eval(&self.0, item)
    }
}

fn eval(e: &Expr, item: &Value) -> bool {
    match e {
        Expr::Or(items) => items.iter().any(|e| eval(e, item)),
        Expr::And(items) => items.iter().all(|e| eval(e, item)),
        Expr::Not(inner) => !eval(inner, item),
        Expr::In(path, values) => {
            let field = get_path(item, path);
            values.iter().any(|v| equal(field, v))
        }
        Expr::Compare(path, op, lit) => compare(get_path(item, path), *op, lit),
    }
}

fn compare(field: Option<&Value>, op: Operator, lit: &Literal) -> bool {
    match op {
        Operator::Eq => equal(field, lit),
        Operator::Ne => !equal(field, lit),
        Operator::Lt => order(field, lit) == Some(Ordering::Less),
        Operator::Le => matches!(order(field, lit), Some(Ordering::Less | Ordering::Equal)),
        Operator::Gt => order(field, lit) == Some(Ordering::Greater),
        Operator::Ge => matches!(order(field, lit), Some(Ordering::Greater | Ordering::Equal)),
        Operator::Contains => match (text_of(field), lit) {
            (Some(f), Literal::Text(t)) => f.to_lowercase().contains(&t.to_lowercase()),
            _ => false,
        },
        Operator::Like => match (text_of(field), lit) {
            (Some(f), Literal::Text(t)) => like(&f.to_lowercase(), &t.to_lowercase()),
            _ => false,
        },
    }
}

fn text_of(field: Option<&Value>) -> Option<String> {
    match field? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn equal(field: Option<&Value>, lit: &Literal) -> bool {
    match (field, lit) {
        (None | Some(Value::Null), Literal::Null) => true,
        (None | Some(Value::Null), _) | (_, Literal::Null) => false,
        (Some(Value::Bool(b)), Literal::Bool(l)) => b == l,
        (Some(f), Literal::Number(n)) => number_of(f) == Some(*n),
        (Some(f), Literal::Text(t) | Literal::Date(t)) => {
            text_of(Some(f)).is_some_and(|s| s.eq_ignore_ascii_case(t))
        }
        _ => false,
    }
}

fn number_of(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// Numbers compare as numbers; text and ISO dates compare as lower-cased text.
fn order(field: Option<&Value>, lit: &Literal) -> Option<Ordering> {
    let f = field?;
    match lit {
        Literal::Number(n) => number_of(f)?.partial_cmp(n),
        Literal::Text(t) | Literal::Date(t) => {
            Some(text_of(Some(f))?.to_lowercase().cmp(&t.to_lowercase()))
        }
        Literal::Bool(_) | Literal::Null => None,
    }
}

/// `*` and `%` match any run of characters.
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut ti, mut pi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '*' || p[pi] == '%') {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*' || *c == '%')
}

#[cfg(test)]
mod tests {
    use super::Conditions;
    use serde_json::json;

    fn check(cond: &str, item: serde_json::Value) -> bool {
        Conditions::parse(cond).expect("parses").matches(&item)
    }

    #[test]
    fn the_forms_clients_send() {
        let cb = json!({"id": 7, "url": "https://Hooks.example/cw?recordId=", "type": "ticket",
                        "inactiveFlag": false, "status": {"id": 5, "name": ">Closed"}});
        assert!(check(r#"url contains "hooks.EXAMPLE""#, cb.clone()));
        assert!(!check(r#"url contains "other""#, cb.clone()));
        assert!(check("id in (1, 7, 9)", cb.clone()));
        assert!(!check("id not in (7)", cb.clone()));
        assert!(check(
            r#"type = "Ticket" and inactiveFlag = False"#,
            cb.clone()
        ));
        assert!(check(r#"status/name = ">Closed" or id = 1"#, cb.clone()));
        assert!(check(
            r#"(id = 1 or id = 7) and not inactiveFlag = true"#,
            cb.clone()
        ));
        assert!(check(r#"url like "https://hooks*""#, cb.clone()));
        assert!(check("id >= 7 and id < 8", cb.clone()));
        assert!(check("missing = null", cb));
        assert!(Conditions::parse("id in (1,").is_err());
        assert!(Conditions::parse("url contains").is_err());
    }
}
