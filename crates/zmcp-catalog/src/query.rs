//! The guarded JMESPath `query` argument.
//!
//! `jmespath::compile` and `search` recurse once per level of the expression tree, and a deep
//! enough expression overflows the thread stack, which aborts the whole process; so length,
//! nesting and operator count are checked before anything is parsed, and compiled
//! expressions are cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jmespath::Expression;
use serde_json::Value;

/// Longest accepted expression, in bytes.
pub const MAX_LEN: usize = 1024;
/// Deepest accepted nesting of `()`, `[]`, `{}`, counting each unary `!` as one more level.
pub const MAX_DEPTH: usize = 32;
/// Most operator characters (`. | & [ ( { ! < > =`) accepted. Chains such as `a.b.c...` do
/// not nest brackets but still build one tree level per operator, and compiling or
/// evaluating each level costs up to ~12 KiB of stack in a debug build.
pub const MAX_OPERATORS: usize = 64;
/// Compiled expressions kept; the cache is cleared when full.
const CACHE_CAPACITY: usize = 256;

type Cache = Mutex<HashMap<String, Arc<Expression<'static>>>>;

/// Applies `expression` to `value`, after the guard (length and nesting limits).
/// Like the Python server: a null result becomes `[]`, a scalar `[scalar]`.
///
/// # Errors
/// A message for the model when the expression is refused or invalid.
pub fn apply(expression: &str, value: &Value) -> Result<Value, String> {
    let compiled = compiled(expression)?;
    let result = compiled
        .search(value)
        .map_err(|err| format!("Invalid JMESPath expression: {err}"))?;
    let result = serde_json::to_value(&*result)
        .map_err(|err| format!("Invalid JMESPath expression: {err}"))?;
    Ok(match result {
        Value::Null => Value::Array(Vec::new()),
        list @ (Value::Array(_) | Value::Object(_)) => list,
        scalar => Value::Array(vec![scalar]),
    })
}

/// Refuses expressions that are too long, too deeply nested or too operator-heavy to parse
/// and evaluate safely.
///
/// # Errors
/// Why the expression is refused.
pub fn guard(expression: &str) -> Result<(), String> {
    if expression.len() > MAX_LEN {
        return Err(format!(
            "Invalid JMESPath expression: {} bytes is longer than the {MAX_LEN}-byte limit",
            expression.len()
        ));
    }
    // Unary `!` recurses like an opener but has no closer, so every one counts for good
    // (`!=` is a comparison, not a negation).
    let bytes = expression.as_bytes();
    let mut depth = 0usize;
    let mut negations = 0usize;
    let mut deepest = 0usize;
    for (i, byte) in bytes.iter().enumerate() {
        match byte {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' if bytes.get(i + 1) != Some(&b'=') => negations += 1,
            _ => {}
        }
        deepest = deepest.max(depth + negations);
    }
    let operators = bytes.iter().filter(|b| b".|&[({!<>=".contains(b)).count();
    if operators > MAX_OPERATORS {
        return Err(format!(
            "Invalid JMESPath expression: more than {MAX_OPERATORS} operators; simplify it"
        ));
    }
    if deepest > MAX_DEPTH {
        return Err(format!(
            "Invalid JMESPath expression: nesting deeper than {MAX_DEPTH} levels"
        ));
    }
    Ok(())
}

fn compiled(expression: &str) -> Result<Arc<Expression<'static>>, String> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(expression).cloned()) {
        return Ok(hit);
    }
    guard(expression)?;
    let compiled = Arc::new(
        jmespath::compile(expression)
            .map_err(|err| format!("Invalid JMESPath expression: {err}"))?,
    );
    if let Ok(mut cache) = cache.lock() {
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(expression.to_owned(), Arc::clone(&compiled));
    }
    Ok(compiled)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn filters_and_projects() {
        let rows = json!([{"id": 1, "name": "a", "enabled": true}, {"id": 2, "name": "b", "enabled": false}]);
        assert_eq!(
            apply("[?enabled==`true`].{id:id,name:name}", &rows).unwrap(),
            json!([{"id": 1, "name": "a"}])
        );
        assert_eq!(apply("length(@)", &rows).unwrap(), json!([2]));
        assert_eq!(apply("missing", &rows).unwrap(), json!([]));
        assert_eq!(
            apply("[0]", &rows).unwrap(),
            json!({"id": 1, "name": "a", "enabled": true})
        );
    }

    #[test]
    fn invalid_and_refused_expressions_are_errors() {
        let err = apply("[?", &json!([])).unwrap_err();
        assert!(err.starts_with("Invalid JMESPath expression: "), "{err}");
        let long = "a".repeat(MAX_LEN + 1);
        assert!(apply(&long, &json!({})).unwrap_err().contains("limit"));
        let deep = format!("{}a{}", "(".repeat(33), ")".repeat(33));
        assert!(apply(&deep, &json!({})).unwrap_err().contains("nesting"));
        let nots = format!("{}a", "! ".repeat(33));
        assert!(guard(&nots).is_err());
        let ok = format!("{}a{}", "(".repeat(32), ")".repeat(32));
        assert_eq!(apply(&ok, &json!({"a": 1})).unwrap(), json!([1]));
    }

    /// The heaviest accepted expressions of each shape compile and run on a tokio worker's
    /// 2 MiB stack even in a debug build (release frames are several times smaller).
    #[test]
    fn heaviest_accepted_shapes_fit_a_worker_stack() {
        let n = MAX_OPERATORS;
        let shapes = [
            "a.".repeat(n) + "a",
            "a|".repeat(n) + "a",
            "a||".repeat(n / 2) + "a",
            "a&&".repeat(n / 2) + "a",
            "a[*].".repeat(n / 2) + "a",
            "a[].".repeat(n / 2) + "a",
            "a[0]".repeat(n / 2),
            "!".repeat(MAX_DEPTH) + "a",
            format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH)),
            format!(
                "{}a{}",
                "{a:".repeat(MAX_DEPTH / 2),
                "}".repeat(MAX_DEPTH / 2)
            ),
            format!("{}a{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH)),
            "[?".to_owned() + &"a<`1`||".repeat(n / 3 - 1) + "a]",
        ];
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                for shape in &shapes {
                    assert!(guard(shape).is_ok(), "{shape}");
                    let _ = apply(shape, &json!({"a": [{"a": 1}]}));
                }
            })
            .unwrap();
        handle.join().unwrap();
        assert!(guard(&("a.".repeat(n + 1) + "a")).is_err());
    }

    proptest! {
        #[test]
        fn guard_refuses_every_deep_input(open in prop::collection::vec(prop::sample::select(vec!['(', '[', '{', '!']), 33..600), tail in "[a-z.|&]{0,20}") {
            let expression: String = open.iter().collect::<String>() + &tail;
            prop_assume!(expression.len() <= MAX_LEN);
            // Any prefix of 33 openers nests deeper than the limit, whatever follows.
            prop_assert!(guard(&expression).is_err());
            prop_assert!(apply(&expression, &serde_json::Value::Null).is_err());
        }

        #[test]
        fn random_input_never_crashes(expression in "[a-z0-9()\\[\\]{}!|&.*@`'\" ,:?<>=-]{0,300}") {
            let _ = apply(&expression, &json!({"a": [{"b": 1}]}));
        }
    }
}
