//! Case-insensitive routing of site paths: company info, key URLs and `/{codebase}apis/3.0/...`.

use crate::log::Op;
use actix_web::http::Method;

/// An API call under `/{codebase}apis/3.0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Api {
    SystemInfo,
    CallbackList,
    CallbackCount,
    CallbackCreate,
    CallbackGet(i64),
    CallbackReplace(i64),
    CallbackPatch(i64),
    CallbackDelete(i64),
    TicketList,
    TicketCount,
    TicketSearch,
    TicketCreate,
    TicketGet(i64),
    TicketPatch(i64),
    TicketReplace(i64),
    TicketDelete(i64),
    NoteList(i64),
    NoteCreate(i64),
    NoteGet(i64, i64),
    BoardList,
    BoardStatuses(i64),
    /// Authenticated like every call, then 404 "The endpoint does not exist."
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `GET /login/companyinfo/{companyId}`.
    CompanyInfo(String),
    /// `GET /{codebase}/system/callbackkey/index.rails`.
    CallbackKey,
    Api(Api),
    NotFound,
}

impl Route {
    pub fn op(&self) -> Op {
        match self {
            Route::CompanyInfo(_) => Op::CompanyInfo,
            Route::CallbackKey => Op::CallbackKey,
            Route::Api(api) => api.op(),
            Route::NotFound => Op::Other,
        }
    }
}

impl Api {
    pub fn op(&self) -> Op {
        match self {
            Api::SystemInfo => Op::SystemInfo,
            Api::CallbackList => Op::CallbackList,
            Api::CallbackCount => Op::CallbackCount,
            Api::CallbackCreate => Op::CallbackCreate,
            Api::CallbackGet(_) => Op::CallbackGet,
            Api::CallbackReplace(_) => Op::CallbackReplace,
            Api::CallbackPatch(_) => Op::CallbackPatch,
            Api::CallbackDelete(_) => Op::CallbackDelete,
            Api::TicketList | Api::TicketCount | Api::TicketSearch => Op::TicketList,
            Api::TicketCreate => Op::TicketCreate,
            Api::TicketGet(_) => Op::TicketGet,
            Api::TicketPatch(_) | Api::TicketReplace(_) => Op::TicketUpdate,
            Api::TicketDelete(_) => Op::TicketDelete,
            Api::NoteList(_) | Api::NoteGet(..) => Op::NoteList,
            Api::NoteCreate(_) => Op::NoteCreate,
            Api::BoardList | Api::BoardStatuses(_) => Op::BoardList,
            Api::Unknown => Op::Other,
        }
    }
}

/// Routes a path; `codebase` is the configured one without slashes. `v4_6_release` is served
/// too, as ConnectWise cloud serves it next to each release's own codebase.
pub fn parse(method: &Method, path: &str, codebase: &str) -> Route {
    // Empty segments vanish, so the key URL's double slash routes like a single one.
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let get = method == Method::GET;
    let ours = |c: &str| c.eq_ignore_ascii_case(codebase) || c == "v4_6_release";
    match s.as_slice() {
        ["login", "companyinfo", _] if get => {
            // The id keeps its casing: company info echoes the stored one anyway.
            let id = path.rsplit('/').find(|x| !x.is_empty()).unwrap_or_default();
            Route::CompanyInfo(id.to_string())
        }
        [c, "system", "callbackkey", "index.rails"] if get && ours(c) => Route::CallbackKey,
        [c, "apis", "3.0", rest @ ..] if ours(c) => Route::Api(api(method, rest)),
        _ => Route::NotFound,
    }
}

fn api(method: &Method, s: &[&str]) -> Api {
    let (get, post, put, patch, del) = (
        method == Method::GET,
        method == Method::POST,
        method == Method::PUT,
        method == Method::PATCH,
        method == Method::DELETE,
    );
    let id = |x: &str| x.parse::<i64>().ok();
    let with = |x: &str, f: fn(i64) -> Api| id(x).map_or(Api::Unknown, f);
    match s {
        ["system", "info"] if get => Api::SystemInfo,
        ["system", "callbacks"] if get => Api::CallbackList,
        ["system", "callbacks"] if post => Api::CallbackCreate,
        ["system", "callbacks", "count"] if get => Api::CallbackCount,
        ["system", "callbacks", x] if get => with(x, Api::CallbackGet),
        ["system", "callbacks", x] if put => with(x, Api::CallbackReplace),
        ["system", "callbacks", x] if patch => with(x, Api::CallbackPatch),
        ["system", "callbacks", x] if del => with(x, Api::CallbackDelete),
        ["service", "tickets"] if get => Api::TicketList,
        ["service", "tickets"] if post => Api::TicketCreate,
        ["service", "tickets", "count"] if get => Api::TicketCount,
        ["service", "tickets", "search"] if post => Api::TicketSearch,
        ["service", "tickets", x] if get => with(x, Api::TicketGet),
        ["service", "tickets", x] if patch => with(x, Api::TicketPatch),
        ["service", "tickets", x] if put => with(x, Api::TicketReplace),
        ["service", "tickets", x] if del => with(x, Api::TicketDelete),
        ["service", "tickets", x, "notes"] if get => with(x, Api::NoteList),
        ["service", "tickets", x, "notes"] if post => with(x, Api::NoteCreate),
        ["service", "tickets", x, "notes", n] if get => match (id(x), id(n)) {
            (Some(t), Some(n)) => Api::NoteGet(t, n),
            _ => Api::Unknown,
        },
        ["service", "boards"] if get => Api::BoardList,
        ["service", "boards", x, "statuses"] if get => with(x, Api::BoardStatuses),
        _ => Api::Unknown,
    }
}
