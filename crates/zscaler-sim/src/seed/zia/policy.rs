//! ZIA policy rules beyond URL filtering and the main firewall: DNS and IPS firewall rules,
//! SSL inspection, web DLP, file type control, sandbox and cloud app control; each family ends
//! with its predefined default rule, which cannot be deleted.

use serde_json::{Value, json};

use super::{SEED_EPOCH, admin, merge};

/// Fields ZIA fills in on any policy rule the client did not send.
pub(crate) fn rule_defaults() -> Value {
    json!({
        "accessControl": "READ_WRITE", "rank": 7, "state": "ENABLED", "description": "",
        "locations": [], "locationGroups": [], "groups": [], "departments": [], "users": [],
        "timeWindows": [], "labels": [], "predefined": false, "defaultRule": false,
        "lastModifiedBy": admin(),
    })
}

/// One family: (name, action, extra fields) per custom rule, then the default rule.
fn family(base_id: i64, rules: &[(&str, &str, Value)], default: (&str, &str)) -> Vec<Value> {
    let mut out: Vec<Value> = rules
        .iter()
        .zip(0..)
        .map(|((name, action, extra), i)| {
            let mut rule = rule_defaults();
            merge(
                &mut rule,
                json!({
                    "id": base_id + i, "name": name, "order": i + 1, "action": action,
                    "description": format!("{name} (Acme baseline policy)"),
                    "lastModifiedTime": SEED_EPOCH,
                }),
            );
            merge(&mut rule, extra.clone());
            rule
        })
        .collect();
    let mut last = rule_defaults();
    merge(
        &mut last,
        json!({
            "id": base_id - 1, "name": default.0, "order": -1, "action": default.1,
            "predefined": true, "defaultRule": true, "accessControl": "READ_ONLY",
            "lastModifiedTime": SEED_EPOCH,
        }),
    );
    out.push(last);
    out
}

pub(crate) fn dns_rules() -> Vec<Value> {
    family(
        1_700_101,
        &[
            (
                "Block DNS Tunnels",
                "BLOCK",
                json!({"applications": ["DNS_TUNNELING"], "protocols": ["ANY_RULE"]}),
            ),
            (
                "Redirect Internal Domains",
                "REDIR_REQ",
                json!({"destAddresses": ["10.10.0.53"], "redirectIp": "10.10.0.53"}),
            ),
            (
                "Allow Acme Resolvers",
                "ALLOW",
                json!({"destAddresses": ["10.10.0.53", "10.20.0.53"]}),
            ),
            (
                "Block Newly Registered Domains",
                "BLOCK",
                json!({"resCategories": ["NEWLY_REGISTERED_DOMAINS"]}),
            ),
        ],
        ("Default Firewall DNS Rule", "ALLOW"),
    )
}

pub(crate) fn ips_rules() -> Vec<Value> {
    family(
        1_700_201,
        &[
            (
                "Block Critical Threats",
                "BLOCK_DROP",
                json!({"threatCategories": [{"id": 1, "name": "Critical"}], "enableFullLogging": true}),
            ),
            (
                "Reset Botnet Callbacks",
                "BLOCK_RESET",
                json!({"threatCategories": [{"id": 2, "name": "Botnet"}]}),
            ),
            (
                "Allow Vulnerability Scanner",
                "ALLOW",
                json!({"srcIps": ["10.50.0.10"]}),
            ),
        ],
        ("Default Cloud IPS Rule", "ALLOW"),
    )
}

pub(crate) fn ssl_rules() -> Vec<Value> {
    let decrypt = json!({"serverCertificates": "BLOCK", "ocspCheck": true, "minTLSVersion": "CLIENT_TLS_1_2"});
    family(
        1_700_301,
        &[
            (
                "Do Not Inspect Banking",
                "DO_NOT_DECRYPT",
                json!({"urlCategories": ["WEB_BANKING"], "action": {"type": "DO_NOT_DECRYPT"}}),
            ),
            (
                "Do Not Inspect Health",
                "DO_NOT_DECRYPT",
                json!({"urlCategories": ["HEALTH"], "action": {"type": "DO_NOT_DECRYPT"}}),
            ),
            (
                "Inspect Everything Else",
                "DECRYPT",
                json!({"action": {"type": "DECRYPT", "decryptSubActions": decrypt}}),
            ),
            (
                "Bypass Engineering Tools",
                "DO_NOT_DECRYPT",
                json!({"urlCategories": ["CUSTOM_03"], "action": {"type": "DO_NOT_DECRYPT"}}),
            ),
        ],
        ("Default SSL Inspection Rule", "DECRYPT"),
    )
}

pub(crate) fn web_dlp_rules() -> Vec<Value> {
    family(
        1_700_401,
        &[
            (
                "Block Credit Card Uploads",
                "BLOCK",
                json!({"dlpEngines": [{"id": 61, "name": "PCI"}], "protocols": ["HTTPS_RULE", "HTTP_RULE"], "severity": "RULE_SEVERITY_HIGH"}),
            ),
            (
                "Alert on Source Code",
                "ALLOW",
                json!({"dlpEngines": [{"id": 64, "name": "Source Code"}], "severity": "RULE_SEVERITY_MEDIUM"}),
            ),
            (
                "Block SSN Exfiltration",
                "BLOCK",
                json!({"dlpEngines": [{"id": 63, "name": "PII"}], "severity": "RULE_SEVERITY_HIGH"}),
            ),
            (
                "Confirm Personal Webmail Uploads",
                "CONFIRM",
                json!({"cloudApplications": ["GMAIL", "YAHOO_MAIL"]}),
            ),
        ],
        ("Default Web DLP Rule", "ALLOW"),
    )
}

pub(crate) fn file_type_rules() -> Vec<Value> {
    family(
        1_700_501,
        &[
            (
                "Block Executables From Uncategorized",
                "BLOCK",
                json!({"fileTypes": ["FTCATEGORY_WINDOWS_EXECUTABLES"], "urlCategories": ["MISCELLANEOUS_OR_UNKNOWN"], "operation": "DOWNLOAD"}),
            ),
            (
                "Caution Office Macros",
                "CAUTION",
                json!({"fileTypes": ["FTCATEGORY_MS_WORD", "FTCATEGORY_MS_EXCEL"], "operation": "DOWNLOAD"}),
            ),
            (
                "Block Archive Uploads",
                "BLOCK",
                json!({"fileTypes": ["FTCATEGORY_ZIP", "FTCATEGORY_RAR"], "operation": "UPLOAD"}),
            ),
        ],
        ("Default File Type Control Rule", "ALLOW"),
    )
}

pub(crate) fn sandbox_rules() -> Vec<Value> {
    family(
        1_700_601,
        &[
            (
                "Quarantine Unknown Executables",
                "BLOCK",
                json!({"baRuleAction": "BLOCK", "firstTimeEnable": true, "firstTimeOperation": "QUARANTINE", "fileTypes": ["FTCATEGORY_WINDOWS_EXECUTABLES"]}),
            ),
            (
                "Analyze Office Documents",
                "ALLOW",
                json!({"baRuleAction": "ALLOW", "firstTimeEnable": true, "firstTimeOperation": "ALLOW_SCAN", "fileTypes": ["FTCATEGORY_MS_WORD"]}),
            ),
        ],
        ("Default BA Rule", "ALLOW"),
    )
}

/// Cloud app control rules of several rule types (the `{rule_type}` path segment).
pub(crate) fn app_control_rules() -> Vec<Value> {
    let rules = [
        (
            "STREAMING_MEDIA",
            "Allow YouTube Viewing",
            json!(["ALLOW_STREAMING_VIEW_LISTEN"]),
            json!(["YOUTUBE"]),
        ),
        (
            "STREAMING_MEDIA",
            "Block Streaming Uploads",
            json!(["BLOCK_STREAMING_UPLOAD"]),
            json!(["YOUTUBE", "TWITCH"]),
        ),
        (
            "WEBMAIL",
            "Block Personal Webmail Attachments",
            json!(["BLOCK_WEBMAIL_ATTACHMENT_SEND"]),
            json!(["GMAIL", "YAHOO_MAIL"]),
        ),
        (
            "FILE_SHARE",
            "Allow Corporate Box",
            json!(["ALLOW_FILE_SHARE_VIEW", "ALLOW_FILE_SHARE_UPLOAD"]),
            json!(["BOX"]),
        ),
        (
            "FILE_SHARE",
            "Block Personal Dropbox Uploads",
            json!(["BLOCK_FILE_SHARE_UPLOAD"]),
            json!(["DROPBOX"]),
        ),
        (
            "AI_ML",
            "Isolate Generative AI",
            json!(["ISOLATE_AI_ML_WEB_USE"]),
            json!(["CHATGPT_AI", "GOOGLE_GEMINI"]),
        ),
    ];
    rules
        .iter()
        .zip(0..)
        .map(|((kind, name, actions, apps), i)| {
            let mut rule = rule_defaults();
            merge(
                &mut rule,
                json!({
                    "id": 1_700_701 + i, "name": name, "type": kind, "order": i + 1,
                    "actions": actions, "applications": apps,
                    "description": format!("{name} (Acme baseline policy)"),
                    "lastModifiedTime": SEED_EPOCH,
                }),
            );
            rule
        })
        .collect()
}

/// The actions a cloud app control rule of `rule_type` may take.
pub(crate) fn app_rule_actions(rule_type: &str) -> Option<Vec<String>> {
    let verbs: &[&str] = match rule_type {
        "STREAMING_MEDIA" => &["STREAMING_VIEW_LISTEN", "STREAMING_UPLOAD"],
        "WEBMAIL" => &["WEBMAIL_VIEW", "WEBMAIL_ATTACHMENT_SEND", "WEBMAIL_SEND"],
        "FILE_SHARE" => &["FILE_SHARE_VIEW", "FILE_SHARE_UPLOAD", "FILE_SHARE_SHARE"],
        "SOCIAL_NETWORKING" => &["SOCIAL_NETWORKING_VIEW", "SOCIAL_NETWORKING_POST"],
        "INSTANT_MESSAGING" => &["CHAT", "FILE_TRANSFER_IN_CHAT"],
        "AI_ML" => &["AI_ML_WEB_USE", "AI_ML_UPLOAD"],
        _ => return None,
    };
    let mut actions = Vec::new();
    for prefix in ["ALLOW", "BLOCK", "CAUTION", "ISOLATE"] {
        actions.extend(verbs.iter().map(|verb| format!("{prefix}_{verb}")));
    }
    Some(actions)
}

/// Custom IPS signatures (Snort syntax).
pub(crate) fn ips_signature_rules() -> Vec<Value> {
    [
        ("Detect Acme Canary Token", "alert tcp any any -> any any (msg:\"Acme canary token\"; content:\"ACME-CANARY-7f3a\"; sid:1000001;)"),
        ("Detect Legacy Telnet Login", "alert tcp any any -> any 23 (msg:\"Telnet login\"; content:\"login:\"; sid:1000002;)"),
        ("Detect Suspicious User Agent", "alert http any any -> any any (msg:\"Suspicious UA\"; http.user_agent; content:\"curl/7.1\"; sid:1000003;)"),
    ]
    .iter()
    .zip(0..)
    .map(|((name, text), i)| {
        json!({
            "id": 1_800_001 + i, "name": name, "ruleText": text,
            "description": format!("{name} (Acme SOC)"), "lastModifiedTime": SEED_EPOCH,
            "lastModifiedBy": admin(),
        })
    })
    .collect()
}
