//! A small, real GraphQL executor: a recursive-descent parser for query documents and an
//! executor that resolves selections against a JSON tree that is both schema and data.
//!
//! In the tree, keys starting with `__` are metadata, not fields: `__type` names the object
//! type (for error messages and `__typename`), `__args` declares field arguments as
//! `{"name": "Type!"}`, `__enums` lists the values an argument accepts. Leaves may be
//! `{"$by": "<argument>", "<value>": ..., "$default": "<value>"}` to depend on an argument
//! given higher up (e.g. `traffic_unit`); a `$by` whose variants are objects or lists selects
//! a whole subtree the same way (variants share one shape). `@include(if:)` and `@skip(if:)`
//! work as in the spec. Arguments with generic meaning: `limit` truncates
//! the field's lists; `start_time`/`end_time` must be ordered. So a new domain is data only.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::connection;

/// Nesting deeper than this is refused, so hostile documents cannot exhaust the stack.
const MAX_DEPTH: usize = 48;

// --- syntax tree --------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    line: usize,
    column: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Type {
    Named(String),
    List(Box<Type>),
    NonNull(Box<Type>),
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Named(name) => write!(f, "{name}"),
            Self::List(inner) => write!(f, "[{inner}]"),
            Self::NonNull(inner) => write!(f, "{inner}!"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Variable(String),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
    Enum(String),
    List(Vec<Literal>),
    Object(Vec<(String, Literal)>),
}

#[derive(Debug)]
struct VariableDef {
    name: String,
    ty: Type,
    default: Option<Literal>,
}

#[derive(Debug)]
struct Field {
    alias: Option<String>,
    name: String,
    arguments: Vec<(String, Literal)>,
    selection: Vec<Field>,
    /// `@include(if:)` (true) and `@skip(if:)` (false) conditions: the field is kept when
    /// every condition's value equals its flag.
    conditions: Vec<(bool, Literal)>,
    pos: Pos,
}

impl Field {
    fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }

    /// Whether `@include`/`@skip` keep the field (an unresolvable condition keeps it; the
    /// variable check reports it).
    fn included(&self, variables: &Map<String, Value>) -> bool {
        self.conditions.iter().all(|(wanted, literal)| {
            resolve_literal(literal, variables)
                .ok()
                .and_then(|v| v.as_bool())
                .is_none_or(|value| value == *wanted)
        })
    }
}

#[derive(Debug)]
struct Operation {
    kind: String,
    name: Option<String>,
    variables: Vec<VariableDef>,
    selection: Vec<Field>,
    pos: Pos,
}

/// A syntax error with where it happened.
#[derive(Debug)]
struct SyntaxError {
    message: String,
    pos: Pos,
}

// --- lexer --------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Punct(char),
    Spread,
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
    End,
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Punct(c) => write!(f, "{c}"),
            Self::Spread => write!(f, "..."),
            Self::Name(n) => write!(f, "{n}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Str(s) => write!(f, "\"{s}\""),
            Self::End => write!(f, "<EOF>"),
        }
    }
}

fn tokenize(source: &str) -> Result<Vec<(Token, Pos)>, SyntaxError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0usize, 1usize, 1usize);
    let at = |i: usize| chars.get(i).copied();
    while let Some(c) = at(i) {
        let pos = Pos { line, column };
        let error = |message: String| SyntaxError { message, pos };
        if c == '\n' {
            i += 1;
            line += 1;
            column = 1;
            continue;
        }
        if c.is_whitespace() || c == ',' || c == '\u{feff}' {
            i += 1;
            column += 1;
            continue;
        }
        if c == '#' {
            while at(i).is_some_and(|c| c != '\n') {
                i += 1;
            }
            continue;
        }
        let start = i;
        let token = if "{}():$![]=@|&".contains(c) {
            i += 1;
            Token::Punct(c)
        } else if c == '.' {
            if at(i + 1) == Some('.') && at(i + 2) == Some('.') {
                i += 3;
                Token::Spread
            } else {
                return Err(error("Invalid syntax with offending token '.'".into()));
            }
        } else if c == '_' || c.is_ascii_alphabetic() {
            while at(i).is_some_and(|c| c == '_' || c.is_ascii_alphanumeric()) {
                i += 1;
            }
            Token::Name(chars.get(start..i).unwrap_or_default().iter().collect())
        } else if c == '-' || c.is_ascii_digit() {
            i += 1;
            let mut float = false;
            while at(i).is_some_and(|c| c.is_ascii_digit() || ".eE+-".contains(c)) {
                float |= at(i).is_some_and(|c| ".eE".contains(c));
                i += 1;
            }
            let text: String = chars.get(start..i).unwrap_or_default().iter().collect();
            let bad = || error(format!("Invalid syntax with offending token '{text}'"));
            if float {
                Token::Float(text.parse().map_err(|_| bad())?)
            } else {
                Token::Int(text.parse().map_err(|_| bad())?)
            }
        } else if c == '"' {
            i += 1;
            let mut text = String::new();
            loop {
                match at(i) {
                    None | Some('\n') => {
                        return Err(error("Invalid syntax: unterminated string".into()));
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        let escaped = match at(i + 1) {
                            Some('n') => '\n',
                            Some('t') => '\t',
                            Some('r') => '\r',
                            Some(other @ ('"' | '\\' | '/')) => other,
                            _ => return Err(error("Invalid syntax: bad escape in string".into())),
                        };
                        text.push(escaped);
                        i += 2;
                    }
                    Some(other) => {
                        text.push(other);
                        i += 1;
                    }
                }
            }
            Token::Str(text)
        } else {
            return Err(error(format!("Invalid syntax with offending token '{c}'")));
        };
        column += i - start;
        tokens.push((token, pos));
    }
    tokens.push((Token::End, Pos { line, column }));
    Ok(tokens)
}

// --- parser -------------------------------------------------------------------------------------

struct Parser {
    tokens: Vec<(Token, Pos)>,
    index: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> (&Token, Pos) {
        self.tokens
            .get(self.index)
            .map_or((&Token::End, Pos { line: 1, column: 1 }), |(t, p)| (t, *p))
    }

    fn next(&mut self) -> (Token, Pos) {
        let (token, pos) = self.peek();
        let token = token.clone();
        self.index += 1;
        (token, pos)
    }

    fn unexpected<T>(&self) -> Result<T, SyntaxError> {
        let (token, pos) = self.peek();
        Err(SyntaxError {
            message: format!(
                "Invalid syntax with offending token '{token}' at line {} column {}",
                pos.line, pos.column
            ),
            pos,
        })
    }

    fn is_punct(&self, c: char) -> bool {
        *self.peek().0 == Token::Punct(c)
    }

    fn expect(&mut self, c: char) -> Result<(), SyntaxError> {
        if self.is_punct(c) {
            self.index += 1;
            Ok(())
        } else {
            self.unexpected()
        }
    }

    fn name(&mut self) -> Result<String, SyntaxError> {
        match self.peek().0 {
            Token::Name(name) => {
                let name = name.clone();
                self.index += 1;
                Ok(name)
            }
            _ => self.unexpected(),
        }
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(SyntaxError {
                message: "Invalid syntax: document nests too deeply".into(),
                pos: self.peek().1,
            });
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn document(&mut self) -> Result<Vec<Operation>, SyntaxError> {
        let mut operations = Vec::new();
        while *self.peek().0 != Token::End {
            operations.push(self.operation()?);
        }
        if operations.is_empty() {
            return self.unexpected();
        }
        Ok(operations)
    }

    fn operation(&mut self) -> Result<Operation, SyntaxError> {
        let pos = self.peek().1;
        if self.is_punct('{') {
            return Ok(Operation {
                kind: "query".into(),
                name: None,
                variables: Vec::new(),
                selection: self.selection_set()?,
                pos,
            });
        }
        let kind = self.name()?;
        if !["query", "mutation", "subscription"].contains(&kind.as_str()) {
            self.index -= 1;
            return self.unexpected();
        }
        let name = match self.peek().0 {
            Token::Name(_) => Some(self.name()?),
            _ => None,
        };
        let mut variables = Vec::new();
        if self.is_punct('(') {
            self.index += 1;
            while !self.is_punct(')') {
                self.expect('$')?;
                let name = self.name()?;
                self.expect(':')?;
                let ty = self.type_ref()?;
                let default = if self.is_punct('=') {
                    self.index += 1;
                    Some(self.literal(true)?)
                } else {
                    None
                };
                variables.push(VariableDef { name, ty, default });
            }
            self.index += 1;
        }
        self.directives()?;
        Ok(Operation {
            kind,
            name,
            variables,
            selection: self.selection_set()?,
            pos,
        })
    }

    fn type_ref(&mut self) -> Result<Type, SyntaxError> {
        let base = if self.is_punct('[') {
            self.index += 1;
            let inner = self.nested(Self::type_ref)?;
            self.expect(']')?;
            Type::List(Box::new(inner))
        } else {
            Type::Named(self.name()?)
        };
        if self.is_punct('!') {
            self.index += 1;
            return Ok(Type::NonNull(Box::new(base)));
        }
        Ok(base)
    }

    /// Directives: `@include(if:)` and `@skip(if:)` become conditions, others are ignored.
    fn directives(&mut self) -> Result<Vec<(bool, Literal)>, SyntaxError> {
        let mut conditions = Vec::new();
        while self.is_punct('@') {
            self.index += 1;
            let name = self.name()?;
            let arguments = if self.is_punct('(') {
                self.arguments()?
            } else {
                Vec::new()
            };
            let flag = match name.as_str() {
                "include" => true,
                "skip" => false,
                _ => continue,
            };
            if let Some((_, literal)) = arguments.into_iter().find(|(n, _)| n == "if") {
                conditions.push((flag, literal));
            }
        }
        Ok(conditions)
    }

    fn selection_set(&mut self) -> Result<Vec<Field>, SyntaxError> {
        self.expect('{')?;
        let mut fields = Vec::new();
        while !self.is_punct('}') {
            if *self.peek().0 == Token::Spread {
                return Err(SyntaxError {
                    message: "Fragments are not supported by this server".into(),
                    pos: self.peek().1,
                });
            }
            fields.push(self.nested(Self::field)?);
        }
        self.index += 1;
        if fields.is_empty() {
            self.index -= 1;
            return self.unexpected();
        }
        Ok(fields)
    }

    fn field(&mut self) -> Result<Field, SyntaxError> {
        let pos = self.peek().1;
        let first = self.name()?;
        let (alias, name) = if self.is_punct(':') {
            self.index += 1;
            (Some(first), self.name()?)
        } else {
            (None, first)
        };
        let arguments = if self.is_punct('(') {
            self.arguments()?
        } else {
            Vec::new()
        };
        let conditions = self.directives()?;
        let selection = if self.is_punct('{') {
            self.selection_set()?
        } else {
            Vec::new()
        };
        Ok(Field {
            alias,
            name,
            arguments,
            selection,
            conditions,
            pos,
        })
    }

    fn arguments(&mut self) -> Result<Vec<(String, Literal)>, SyntaxError> {
        self.expect('(')?;
        let mut arguments = Vec::new();
        while !self.is_punct(')') {
            let name = self.name()?;
            self.expect(':')?;
            arguments.push((name, self.literal(false)?));
        }
        self.index += 1;
        if arguments.is_empty() {
            self.index -= 1;
            return self.unexpected();
        }
        Ok(arguments)
    }

    fn literal(&mut self, constant: bool) -> Result<Literal, SyntaxError> {
        let (token, _) = self.next();
        Ok(match token {
            Token::Punct('$') if !constant => Literal::Variable(self.name()?),
            Token::Int(i) => Literal::Int(i),
            Token::Float(x) => Literal::Float(x),
            Token::Str(s) => Literal::Str(s),
            Token::Name(n) if n == "true" => Literal::Bool(true),
            Token::Name(n) if n == "false" => Literal::Bool(false),
            Token::Name(n) if n == "null" => Literal::Null,
            Token::Name(n) => Literal::Enum(n),
            Token::Punct('[') => {
                let mut items = Vec::new();
                while !self.is_punct(']') {
                    items.push(self.nested(|p| p.literal(constant))?);
                }
                self.index += 1;
                Literal::List(items)
            }
            Token::Punct('{') => {
                let mut fields = Vec::new();
                while !self.is_punct('}') {
                    let name = self.name()?;
                    self.expect(':')?;
                    fields.push((name, self.nested(|p| p.literal(constant))?));
                }
                self.index += 1;
                Literal::Object(fields)
            }
            _ => {
                self.index -= 1;
                return self.unexpected();
            }
        })
    }
}

fn parse(source: &str) -> Result<Vec<Operation>, SyntaxError> {
    let tokens = tokenize(source)?;
    Parser {
        tokens,
        index: 0,
        depth: 0,
    }
    .document()
}

// --- execution ----------------------------------------------------------------------------------

fn location(pos: Pos) -> Value {
    json!([{"line": pos.line, "column": pos.column}])
}

fn error(message: String, pos: Option<Pos>, classification: &str) -> Value {
    let mut e = json!({"message": message, "extensions": {"classification": classification}});
    if let (Some(map), Some(pos)) = (e.as_object_mut(), pos) {
        map.insert("locations".into(), location(pos));
    }
    e
}

fn errors_only(errors: Vec<Value>) -> Value {
    json!({"errors": errors})
}

/// Runs `query` against `root`; the result is the GraphQL response body (always HTTP 200).
pub(crate) fn execute(
    root: &Value,
    query: &str,
    variables: &Value,
    operation_name: Option<&str>,
) -> Value {
    let operations = match parse(query) {
        Ok(operations) => operations,
        Err(e) => return errors_only(vec![error(e.message, Some(e.pos), "InvalidSyntax")]),
    };
    let operation = match operation_name {
        Some(name) => operations.iter().find(|o| o.name.as_deref() == Some(name)),
        None if operations.len() == 1 => operations.first(),
        None => None,
    };
    let Some(operation) = operation else {
        let message = match operation_name {
            Some(name) => format!("Unknown operation named '{name}'."),
            None => "Must provide operation name if query contains multiple operations.".into(),
        };
        return errors_only(vec![error(message, None, "ValidationError")]);
    };
    if operation.kind != "query" {
        return errors_only(vec![error(
            format!("Schema is not configured for {}s.", operation.kind),
            Some(operation.pos),
            "ValidationError",
        )]);
    }
    let variables = match coerce_variables(operation, variables) {
        Ok(vars) => vars,
        Err(errors) => return errors_only(errors),
    };
    let mut errors = Vec::new();
    validate(
        root,
        &operation.selection,
        &variables,
        &mut Vec::new(),
        &mut errors,
    );
    if !errors.is_empty() {
        return errors_only(errors);
    }
    let mut run = Run {
        variables,
        errors: Vec::new(),
    };
    let data = run.select(root, &operation.selection, &HashMap::new(), &mut Vec::new());
    if run.errors.is_empty() {
        json!({"data": data})
    } else {
        json!({"errors": run.errors, "data": data})
    }
}

/// Checks a JSON value against a GraphQL input type.
fn fits(value: &Value, ty: &Type) -> bool {
    match ty {
        Type::NonNull(inner) => !value.is_null() && fits(value, inner),
        _ if value.is_null() => true,
        Type::List(inner) => match value {
            Value::Array(items) => items.iter().all(|v| fits(v, inner)),
            other => fits(other, inner),
        },
        Type::Named(name) => match name.as_str() {
            "Int" => value.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
            "Long" => value.is_i64(),
            "Float" => value.is_number(),
            "String" => value.is_string(),
            "Boolean" => value.is_boolean(),
            "ID" => value.is_string() || value.is_i64(),
            // Enums and input objects: accept strings and objects, checked by the resolver.
            _ => value.is_string() || value.is_object(),
        },
    }
}

fn coerce_variables(
    operation: &Operation,
    given: &Value,
) -> Result<Map<String, Value>, Vec<Value>> {
    let empty = Map::new();
    let given = given.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    let mut errors = Vec::new();
    for def in &operation.variables {
        let value = match (given.get(&def.name), &def.default) {
            (Some(v), _) => v.clone(),
            (None, Some(default)) => constant(default),
            (None, None) => Value::Null,
        };
        if !fits(&value, &def.ty) {
            let message = if value.is_null() {
                format!(
                    "Variable '{}' has an invalid value: Variable '{}' has coerced Null value for NonNull type '{}'",
                    def.name, def.name, def.ty
                )
            } else {
                format!(
                    "Variable '{}' has an invalid value: Expected type '{}' but was '{}'.",
                    def.name, def.ty, value
                )
            };
            errors.push(error(message, Some(operation.pos), "ValidationError"));
        }
        out.insert(def.name.clone(), value);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A literal without variables as JSON.
fn constant(literal: &Literal) -> Value {
    resolve_literal(literal, &Map::new()).unwrap_or(Value::Null)
}

/// A literal as JSON, with variables substituted; `Err` names an undeclared variable.
fn resolve_literal(literal: &Literal, variables: &Map<String, Value>) -> Result<Value, String> {
    Ok(match literal {
        Literal::Variable(name) => variables.get(name).cloned().ok_or_else(|| name.clone())?,
        Literal::Int(i) => json!(i),
        Literal::Float(x) => json!(x),
        Literal::Str(s) | Literal::Enum(s) => json!(s),
        Literal::Bool(b) => json!(b),
        Literal::Null => Value::Null,
        Literal::List(items) => Value::Array(
            items
                .iter()
                .map(|i| resolve_literal(i, variables))
                .collect::<Result<_, _>>()?,
        ),
        Literal::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), resolve_literal(v, variables)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn type_name(node: &Value) -> String {
    node.get("__type")
        .and_then(Value::as_str)
        .unwrap_or("Query")
        .to_owned()
}

/// A leaf is a scalar or an argument-dependent `$by` value with scalar variants.
fn is_leaf(node: &Value) -> bool {
    match node {
        Value::Object(map) if map.contains_key("$by") => default_variant(node).is_none_or(is_leaf),
        Value::Object(_) => false,
        Value::Array(items) => items.first().is_none_or(is_leaf),
        _ => true,
    }
}

/// The `$default` variant of a `$by` switch.
fn default_variant(node: &Value) -> Option<&Value> {
    let name = node.get("$default").and_then(Value::as_str)?;
    node.get(name)
}

/// The variant of a `$by` switch the arguments in context choose (`$default` when the
/// argument is absent); any other node is itself. `Err` names an argument value with no
/// variant (an id that does not exist).
fn chosen_variant<'a>(
    node: &'a Value,
    context: &HashMap<String, Value>,
) -> Result<&'a Value, String> {
    let Some(Value::String(by)) = node.get("$by") else {
        return Ok(node);
    };
    match context.get(by) {
        Some(value) => {
            let key = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            node.get(&key)
                .filter(|_| !key.starts_with('$') && !key.starts_with("__"))
                .ok_or_else(|| format!("{by} {key} not found"))
        }
        None => Ok(default_variant(node).unwrap_or(&Value::Null)),
    }
}

/// The object a selection applies to (the first item stands for a list's items, the default
/// variant for a `$by` switch).
fn shape(node: &Value) -> &Value {
    match node {
        Value::Array(items) => items.first().map_or(node, shape),
        Value::Object(map) if map.contains_key("$by") => default_variant(node).map_or(node, shape),
        other => other,
    }
}

fn declared_args(node: &Value) -> Map<String, Value> {
    node.get("__args")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn parse_type(text: &str) -> Type {
    match text.strip_suffix('!') {
        Some(inner) => Type::NonNull(Box::new(parse_type(inner))),
        None => Type::Named(text.to_owned()),
    }
}

fn path_text(path: &[String]) -> String {
    path.join("/")
}

/// Static checks: fields exist, arguments are declared, required ones present, values typed,
/// leaves have no selection and objects have one.
fn validate(
    node: &Value,
    selection: &[Field],
    variables: &Map<String, Value>,
    path: &mut Vec<String>,
    errors: &mut Vec<Value>,
) {
    let parent = shape(node);
    for field in selection {
        path.push(field.name.clone());
        let at = path_text(path);
        let child = if field.name.starts_with("__") {
            (field.name == "__typename").then_some(&Value::Null)
        } else {
            parent.get(&field.name)
        };
        let Some(child) = child else {
            errors.push(error(
                format!(
                    "Validation error (FieldUndefined@[{at}]) : Field '{}' in type '{}' is undefined",
                    field.name,
                    type_name(parent)
                ),
                Some(field.pos),
                "ValidationError",
            ));
            path.pop();
            continue;
        };
        let declared = declared_args(shape(child));
        for (name, literal) in &field.arguments {
            let Some(ty) = declared.get(name).and_then(Value::as_str) else {
                errors.push(error(
                    format!("Validation error (UnknownArgument@[{at}]) : Unknown field argument '{name}'"),
                    Some(field.pos),
                    "ValidationError",
                ));
                continue;
            };
            match resolve_literal(literal, variables) {
                Err(variable) => errors.push(error(
                    format!("Validation error (UndefinedVariable@[{at}]) : Undefined variable '{variable}'"),
                    Some(field.pos),
                    "ValidationError",
                )),
                Ok(value) if !fits(&value, &parse_type(ty)) => errors.push(error(
                    format!("Validation error (WrongType@[{at}]) : argument '{name}' with value '{value}' is not a valid '{ty}'"),
                    Some(field.pos),
                    "ValidationError",
                )),
                Ok(_) => {}
            }
        }
        for (name, ty) in &declared {
            let required = ty.as_str().is_some_and(|t| t.ends_with('!'));
            if required && !field.arguments.iter().any(|(n, _)| n == name) {
                errors.push(error(
                    format!("Validation error (MissingFieldArgument@[{at}]) : Missing field argument '{name}'"),
                    Some(field.pos),
                    "ValidationError",
                ));
            }
        }
        let leaf = is_leaf(child);
        if leaf && !field.selection.is_empty() {
            errors.push(error(
                format!("Validation error (SubselectionNotAllowed@[{at}]) : Sub selection not allowed on leaf type of field {}", field.name),
                Some(field.pos),
                "ValidationError",
            ));
        } else if !leaf && field.selection.is_empty() {
            errors.push(error(
                format!("Validation error (SubselectionRequired@[{at}]) : Sub selection required for type {} of field {}", type_name(shape(child)), field.name),
                Some(field.pos),
                "ValidationError",
            ));
        } else if !leaf {
            validate(child, &field.selection, variables, path, errors);
        }
        path.pop();
    }
}

struct Run {
    variables: Map<String, Value>,
    errors: Vec<Value>,
}

impl Run {
    /// Resolves `selection` on `node`, which is an object or a list of objects.
    fn select(
        &mut self,
        node: &Value,
        selection: &[Field],
        context: &HashMap<String, Value>,
        path: &mut Vec<Value>,
    ) -> Value {
        if let Value::Array(items) = node {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                path.push(json!(i));
                out.push(self.select(item, selection, context, path));
                path.pop();
            }
            return Value::Array(out);
        }
        let mut out = Map::new();
        for field in selection {
            if !field.included(&self.variables) {
                continue;
            }
            path.push(json!(field.key()));
            let value = if field.name == "__typename" {
                json!(type_name(node))
            } else {
                match node.get(&field.name) {
                    Some(child) => self.field(child, field, context, path),
                    None => Value::Null,
                }
            };
            out.insert(field.key().to_owned(), value);
            path.pop();
        }
        Value::Object(out)
    }

    fn field(
        &mut self,
        child: &Value,
        field: &Field,
        context: &HashMap<String, Value>,
        path: &mut Vec<Value>,
    ) -> Value {
        let mut context = context.clone();
        let mut own = Map::new();
        let mut limit = None;
        let enums = shape(child).get("__enums").cloned().unwrap_or(Value::Null);
        for (name, literal) in &field.arguments {
            let value = resolve_literal(literal, &self.variables).unwrap_or(Value::Null);
            if value.is_null() {
                continue;
            }
            if let Some(allowed) = enums.get(name).and_then(Value::as_array)
                && !allowed.contains(&value)
            {
                return self.fail(
                    field,
                    path,
                    format!("{name} must be one of {}", Value::Array(allowed.clone())),
                );
            }
            if name == "limit" {
                match value.as_u64() {
                    Some(n) => limit = Some(usize::try_from(n).unwrap_or(usize::MAX)),
                    None => return self.fail(field, path, "limit must not be negative".into()),
                }
            }
            own.insert(name.clone(), value.clone());
            context.insert(name.clone(), value);
        }
        let start = context.get("start_time").and_then(Value::as_i64);
        let end = context.get("end_time").and_then(Value::as_i64);
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            return self.fail(field, path, "end_time must not be before start_time".into());
        }
        if is_leaf(child) {
            return leaf_value(child, &context);
        }
        let child = match chosen_variant(child, &context) {
            Ok(child) => child,
            Err(message) => return self.fail(field, path, message),
        };
        let paged = if connection::is_connection(child) {
            match connection::page(child, &own) {
                Ok(paged) => Some(paged),
                Err(message) => return self.fail(field, path, message),
            }
        } else {
            None
        };
        let child = paged.as_ref().unwrap_or(child);
        let truncated = limit.map(|n| truncate_lists(child, n));
        self.select(
            truncated.as_ref().unwrap_or(child),
            &field.selection,
            &context,
            path,
        )
    }

    /// A data-fetching error: the field resolves to null and the error names its path.
    fn fail(&mut self, field: &Field, path: &[Value], message: String) -> Value {
        self.errors.push(json!({
            "message": format!("Data fetching Failed: {message}"),
            "locations": location(field.pos),
            "path": path,
            "extensions": {"code": "BAD_REQUEST", "http_status": 400, "classification": "INTERNAL_ERROR"},
        }));
        Value::Null
    }
}

/// A leaf's value, choosing `$by` variants by the arguments in context.
fn leaf_value(node: &Value, context: &HashMap<String, Value>) -> Value {
    match node {
        Value::Array(items) => Value::Array(items.iter().map(|i| leaf_value(i, context)).collect()),
        Value::Object(map) => {
            let chosen = map
                .get("$by")
                .and_then(Value::as_str)
                .and_then(|arg| context.get(arg))
                .and_then(Value::as_str)
                .or_else(|| map.get("$default").and_then(Value::as_str))
                .unwrap_or("");
            map.get(chosen)
                .map_or(Value::Null, |variant| leaf_value(variant, context))
        }
        other => other.clone(),
    }
}

/// `node` with every list directly under it cut to `limit` items.
fn truncate_lists(node: &Value, limit: usize) -> Value {
    match node {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Array(items) => {
                            Value::Array(items.iter().take(limit).cloned().collect())
                        }
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Value {
        json!({
            "__type": "Query",
            "THING": {
                "__type": "Thing",
                "__args": {"start_time": "Long!", "end_time": "Long!", "unit": "String"},
                "__enums": {"unit": ["A", "B"]},
                "items": {"__type": "Items", "__args": {"limit": "Int"},
                          "entries": [{"__type": "Entry", "name": "x", "total": {"$by": "unit", "$default": "A", "A": 1, "B": 2}},
                                      {"__type": "Entry", "name": "y", "total": {"$by": "unit", "$default": "A", "A": 3, "B": 4}}]}
            }
        })
    }

    #[test]
    fn resolves_variables_aliases_and_limits() {
        let q = "query Q($s: Long!, $e: Long!, $u: String) { THING(start_time: $s, end_time: $e, unit: $u) { items(limit: 1) { entries { n: name total } } } }";
        let out = execute(&tree(), q, &json!({"s": 1, "e": 2, "u": "B"}), None);
        assert_eq!(
            out,
            json!({"data": {"THING": {"items": {"entries": [{"n": "x", "total": 2}]}}}})
        );
    }

    #[test]
    fn unknown_fields_and_bad_syntax_are_errors() {
        let out = execute(
            &tree(),
            "{ THING(start_time: 1, end_time: 2) { nope } }",
            &Value::Null,
            None,
        );
        assert!(
            out["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("FieldUndefined")
        );
        assert!(out.get("data").is_none());
        let out = execute(&tree(), "{ THING( }", &Value::Null, None);
        assert_eq!(
            out["errors"][0]["extensions"]["classification"],
            "InvalidSyntax"
        );
    }

    #[test]
    fn missing_required_variable_is_an_error() {
        let q = "query Q($s: Long!) { THING(start_time: $s, end_time: 5) { items { entries { name } } } }";
        let out = execute(&tree(), q, &json!({}), None);
        assert!(
            out["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("NonNull")
        );
    }

    #[test]
    fn switches_choose_subtrees_and_directives_drop_fields() {
        let root = json!({"T": {"__args": {"by": "String", "unit": "String"},
            "rows": {"$by": "by", "$default": "A",
                     "A": {"entries": [{"name": "a", "n": {"$by": "unit", "$default": "X", "X": 1, "Y": 2}, "extra": 0}]},
                     "B": {"entries": [{"name": "b", "n": {"$by": "unit", "$default": "X", "X": 3, "Y": 4}, "extra": 0}]}}}});
        let q = "query Q($by: String, $more: Boolean!) { T(by: $by, unit: \"Y\") { rows { entries { name n extra @include(if: $more) } } } }";
        let out = execute(&root, q, &json!({"by": "B", "more": false}), None);
        assert_eq!(
            out,
            json!({"data": {"T": {"rows": {"entries": [{"name": "b", "n": 4}]}}}})
        );
        let out = execute(&root, q, &json!({"more": true}), None);
        assert_eq!(
            out["data"]["T"]["rows"]["entries"][0],
            json!({"name": "a", "n": 2, "extra": 0})
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let q = format!("{}{}", "{ a ".repeat(10_000), "}".repeat(10_000));
        let out = execute(&tree(), &q, &Value::Null, None);
        assert!(out["errors"].is_array());
    }
}
