//! Shared helpers for the simulator's HTTP tests.
#![allow(dead_code)]

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use zscaler_sim::{SimConfig, SimHandle};

pub const AUDIENCE: &str = "https://api.zscaler.com";

pub struct Sim {
    pub handle: SimHandle,
    pub client: Client,
    pub token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub async fn start_with(config: SimConfig) -> Sim {
    let handle = zscaler_sim::start(config).await.unwrap();
    let client = Client::new();
    let token = fetch_token(&client, &handle, handle.client_secret())
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    Sim {
        handle,
        client,
        token,
    }
}

pub async fn start() -> Sim {
    start_with(SimConfig::default()).await
}

pub async fn fetch_token(client: &Client, handle: &SimHandle, secret: &str) -> Reply {
    post_form(
        client,
        &handle.token_url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", handle.client_id()),
            ("client_secret", secret),
            ("audience", AUDIENCE),
        ],
    )
    .await
}

pub async fn post_form(client: &Client, url: &str, form: &[(&str, &str)]) -> Reply {
    let response = client.post(url).form(form).send().await.unwrap();
    into_reply(response).await
}

pub async fn into_reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Reply {
        status,
        headers,
        text,
    }
}

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.handle.base_url(), path)
    }

    /// `path` may carry a raw query string, sent exactly as written.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        into_reply(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub fn zpa(&self, rest: &str) -> String {
        format!(
            "/zpa/mgmtconfig/v1/admin/customers/{}{rest}",
            self.handle.customer_id()
        )
    }

    pub fn zpa_v2(&self, rest: &str) -> String {
        format!(
            "/zpa/mgmtconfig/v2/admin/customers/{}{rest}",
            self.handle.customer_id()
        )
    }
}
