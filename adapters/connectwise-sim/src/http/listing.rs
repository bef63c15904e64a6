//! List parameters shared by every collection: `conditions`, `fields`, `page` and `pageSize`
//! (25 by default, 1000 at most), with a `Link` header to the next and last pages.

use super::reply::Reply;
use super::Ctx;
use crate::conditions::Conditions;
use serde_json::{json, Map, Value};

const DEFAULT_PAGE_SIZE: usize = 25;
const MAX_PAGE_SIZE: usize = 1000;

/// Parsed list parameters.
#[derive(Debug)]
pub struct ListParams {
    pub conditions: Option<Conditions>,
    pub fields: Vec<String>,
    pub page: usize,
    pub page_size: usize,
    /// The parameters other than paging, as sent, for Link URLs.
    rest: Vec<(String, String)>,
}

/// Query parameters (names case-insensitive); `search` holds a `/search` body's members.
pub fn params(query: &str, search: Option<&Map<String, Value>>) -> Result<ListParams, Reply> {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (k, v) in search.into_iter().flatten() {
        if let Some(text) = v
            .as_str()
            .map(str::to_string)
            .or_else(|| v.as_u64().map(|n| n.to_string()))
        {
            pairs.push((k.clone(), text));
        }
    }
    let find = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let number = |name: &str, default: usize| match find(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| Reply::bad_request(format!("{name} must be a positive integer."))),
    };
    let conditions = match find("conditions").filter(|c| !c.trim().is_empty()) {
        None => None,
        Some(c) => Some(Conditions::parse(&c).map_err(Reply::bad_request)?),
    };
    let fields = find("fields")
        .map(|f| {
            f.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    // Link URLs repeat everything but the paging.
    let keep = |k: &str| !matches!(k.to_ascii_lowercase().as_str(), "page" | "pagesize");
    let rest = pairs.iter().filter(|(k, _)| keep(k)).cloned().collect();
    Ok(ListParams {
        page: number("page", 1)?.max(1),
        page_size: number("pageSize", DEFAULT_PAGE_SIZE)?.clamp(1, MAX_PAGE_SIZE),
        conditions,
        fields,
        rest,
    })
}

impl ListParams {
    fn filter(&self, items: Vec<Value>) -> Vec<Value> {
        match &self.conditions {
            Some(c) => items.into_iter().filter(|i| c.matches(i)).collect(),
            None => items,
        }
    }
}

/// One page of the matching items, projected to `fields`.
pub fn page(ctx: &Ctx, items: Vec<Value>, p: &ListParams) -> Reply {
    let found = p.filter(items);
    let total = found.len();
    let start = (p.page - 1).saturating_mul(p.page_size);
    let page: Vec<Value> = found
        .into_iter()
        .skip(start)
        .take(p.page_size)
        .map(|i| project(i, &p.fields))
        .collect();
    let last = total.div_ceil(p.page_size).max(1);
    let reply = Reply::ok(Value::Array(page));
    if last <= 1 {
        return reply;
    }
    let link = |n: usize, rel: &str| format!("<{}>; rel=\"{rel}\"", page_url(ctx, p, n));
    let mut links = Vec::new();
    if p.page > 1 {
        links.push(link(1, "first"));
        links.push(link(p.page - 1, "prev"));
    }
    if p.page < last {
        links.push(link(p.page + 1, "next"));
        links.push(link(last, "last"));
    }
    reply.with_header("Link", links.join(", "))
}

/// `{"count": n}` of the matching items.
pub fn count(items: Vec<Value>, p: &ListParams) -> Reply {
    Reply::ok(json!({"count": p.filter(items).len()}))
}

fn page_url(ctx: &Ctx, p: &ListParams, n: usize) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &p.rest {
        q.append_pair(k, v);
    }
    q.append_pair("page", &n.to_string());
    q.append_pair("pageSize", &p.page_size.to_string());
    format!("{}{}?{}", ctx.shared.base_url, ctx.path, q.finish())
}

/// Keeps only the listed paths (`status/name` keeps `{"status":{"name":…}}`); all if none.
pub fn project(item: Value, fields: &[String]) -> Value {
    if fields.is_empty() {
        return item;
    }
    let mut out = Map::new();
    for f in fields {
        let segs: Vec<&str> = f.split('/').filter(|s| !s.is_empty()).collect();
        copy_path(&item, &segs, &mut out);
    }
    Value::Object(out)
}

fn copy_path(src: &Value, segs: &[&str], out: &mut Map<String, Value>) {
    let (Some(map), Some(first)) = (src.as_object(), segs.first()) else {
        return;
    };
    let Some((key, value)) = map.iter().find(|(k, _)| k.eq_ignore_ascii_case(first)) else {
        return;
    };
    if segs.len() == 1 {
        out.insert(key.clone(), value.clone());
        return;
    }
    let child = out
        .entry(key.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(child) = child.as_object_mut() {
        copy_path(value, &segs[1..], child);
    }
}
