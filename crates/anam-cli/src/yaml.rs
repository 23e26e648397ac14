//! The account file's YAML as a tree of [`Node`]s that know where they are, read by
//! serde-saphyr within the file's limits (see `file`), and read again from the tree into the
//! file's types by [`NodeDeserializer`], one item at a time, so that one wrong value does not
//! hide the others: `file` collects every problem, removes what is wrong and reads on.
//!
//! Scalars are read as serde-saphyr reads them into a typed field: a plain scalar is text, a
//! number or a boolean according to the field it goes into, as written (`name: 007` is the text
//! `007`, `speed: '1.1'` the number 1.1). A value of the wrong type is said in the file's terms
//! (`is "fast", but must be a number`), not in the parser's (`invalid floating point`).

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// One value of the file and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where it is used (an alias's own place, not its anchor's): line and column, from 1.
    pub at: (u64, u64),
    /// The bytes of the file it was written as (its anchor's, for an alias), when known: the
    /// text of a plain scalar read as a number or a boolean.
    pub span: Option<(usize, usize)>,
    /// The value.
    pub value: Value,
}

/// A value of the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// A plain `true`, `false`, `yes`, ...
    Bool(bool),
    /// A plain negative whole number.
    Int(i64),
    /// A plain whole number of 0 or more.
    UInt(u64),
    /// A plain number with a fraction or an exponent (`.nan` and `.inf` are text here: see
    /// [`float`]).
    Float(f64),
    /// Text: quoted, or plain text that is not a number or boolean.
    Text(String),
    /// A list.
    List(Vec<Node>),
    /// A map, its entries in the file's order.
    Map(Vec<Entry>),
}

/// A map's entry: its key, where the key is, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is: line and column, from 1.
    pub at: (u64, u64),
    /// The value.
    pub node: Node,
}

impl Node {
    /// A node of text, made by `file` where a required field is missing.
    pub fn text(at: (u64, u64), text: &str) -> Node {
        Node { at, span: None, value: Value::Text(text.to_owned()) }
    }

    /// Where `path` below this node is written, as deep as the path goes: a key's place when
    /// it ends in a map's key (where a field's line starts), else the item's.
    pub fn locate(&self, path: &[Step<'_>]) -> (u64, u64) {
        let (mut node, mut at) = (self, self.at);
        for step in path {
            match (&node.value, step) {
                (Value::Map(entries), Step::Key(key)) => match entries.iter().find(|e| e.key == *key) {
                    Some(entry) => (node, at) = (&entry.node, entry.at),
                    None => break,
                },
                (Value::List(items), Step::Index(i)) => match items.get(*i) {
                    Some(item) => (node, at) = (item, item.at),
                    None => break,
                },
                _ => break,
            }
        }
        at
    }

    /// The map entries of this node, if it is a map, to change.
    pub fn entries_mut(&mut self) -> Option<&mut Vec<Entry>> {
        match &mut self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }
}

/// A step of a path inside the file: a map's key or a list's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// A map's key.
    Key(&'a str),
    /// A list's index.
    Index(usize),
}

/// A path as the file's messages write it (`personas[1].voiceDetection.speed`), as steps. A key
/// holding `.` or `[` is not told apart from a path's own (locating it then stops short).
pub fn steps(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(key, rest)| (key, rest));
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(index) = index.parse() {
                steps.push(Step::Index(index));
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    steps
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        let span = spanned.defined.span();
        let span = span.byte_offset().zip(span.byte_len()).map(|(start, len)| (start as usize, len as usize));
        let at = (spanned.referenced.line(), spanned.referenced.column());
        Ok(Node { at, span, value: spanned.value })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// Builds a [`Value`] from whatever serde-saphyr reads.
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(if v < 0 { Value::Int(v) } else { Value::UInt(v as u64) })
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::UInt(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Text(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, node)) = map.next_entry::<Spanned<String>, Node>()? {
            let at = (key.referenced.line(), key.referenced.column());
            entries.push(Entry { key: key.value, at, node });
        }
        Ok(Value::Map(entries))
    }
}

/// A number as YAML writes it, including `.nan`, `.inf` and `-.inf` (which serde-saphyr gives
/// an untyped reader as text).
pub fn float(text: &str) -> Option<f64> {
    match text.trim() {
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        // Rust's own spellings (`inf`, `NaN`) are text in YAML.
        other if other.chars().any(|c| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E')) => None,
        other => other.parse().ok(),
    }
}

/// An error reading a node into a field: a wrong type in the file's terms, or serde's own
/// (an unknown or missing field).
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// What is wrong: `is "fast", but must be a number` (a wrong type), or a message that
    /// follows the path after `: ` (`unknown field ...`).
    pub message: String,
    /// The field a struct misses, when that is the error.
    pub missing: Option<String>,
}

impl Error {
    /// Whether the message reads after the path with a space (`speed is "fast", ...`) rather
    /// than after `: `.
    pub fn follows_the_path(&self) -> bool {
        self.message.starts_with("is ")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error { message: message.to_string(), missing: None }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Error {
        Error::custom(format!("unknown field `{field}`, expected one of {}", expected.join(", ")))
    }

    fn missing_field(field: &'static str) -> Error {
        Error { message: format!("missing field `{field}`"), missing: Some(field.to_owned()) }
    }
}

/// Reads a [`Node`] into a field of the file's types; `source` is the file's text, for the
/// plain scalars a text field takes as written.
#[derive(Debug, Clone, Copy)]
pub struct NodeDeserializer<'a> {
    node: &'a Node,
    source: &'a str,
}

impl<'a> NodeDeserializer<'a> {
    /// A reader of `node`, from the file `source`.
    pub fn new(node: &'a Node, source: &'a str) -> NodeDeserializer<'a> {
        NodeDeserializer { node, source }
    }

    /// The node's scalar as written in the file (`007`, `yes`), else its value's text.
    fn written(&self) -> Option<String> {
        let written = self.node.span.and_then(|(start, len)| self.source.get(start..start + len));
        match &self.node.value {
            Value::Text(text) => Some(text.clone()),
            Value::Bool(_) | Value::Int(_) | Value::UInt(_) | Value::Float(_) => match written {
                Some(text) if !text.is_empty() => Some(text.to_owned()),
                _ => Some(self.shown_scalar()),
            },
            _ => None,
        }
    }

    /// A scalar's value as Rust writes it.
    fn shown_scalar(&self) -> String {
        match &self.node.value {
            Value::Bool(v) => v.to_string(),
            Value::Int(v) => v.to_string(),
            Value::UInt(v) => v.to_string(),
            Value::Float(v) => v.to_string(),
            Value::Text(v) => v.clone(),
            _ => String::new(),
        }
    }

    /// The error of a value that is not of the `expected` type: `is "fast", but must be a number`.
    fn wrong(&self, expected: &str) -> Error {
        let found = match &self.node.value {
            Value::Null => "empty".to_owned(),
            Value::Text(text) => format!("{text:?}"),
            Value::List(_) => "a list".to_owned(),
            Value::Map(_) => "a map".to_owned(),
            _ => self.written().unwrap_or_default(),
        };
        <Error as de::Error>::custom(format!("is {found}, but must be {expected}"))
    }

    /// The node as a whole number in `min..=max`.
    fn whole(&self, min: i128, max: i128) -> Result<i128, Error> {
        let number = match &self.node.value {
            Value::Int(v) => Some(i128::from(*v)),
            Value::UInt(v) => Some(i128::from(*v)),
            Value::Text(text) => text.trim().parse::<i128>().ok(),
            _ => None,
        };
        match number {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            Some(_) => Err(self.wrong(&format!("a whole number from {min} to {max}"))),
            None => Err(self.wrong("a whole number")),
        }
    }
}

/// The methods of a whole number type, through [`NodeDeserializer::whole`].
macro_rules! whole_numbers {
    ($($method:ident $visit:ident $type:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n = self.whole(i128::from(<$type>::MIN), i128::from(<$type>::MAX))?;
            visitor.$visit(n as $type)
        }
    )*};
}

impl<'de> Deserializer<'de> for NodeDeserializer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(v) => visitor.visit_bool(*v),
            Value::Int(v) => visitor.visit_i64(*v),
            Value::UInt(v) => visitor.visit_u64(*v),
            Value::Float(v) => visitor.visit_f64(*v),
            Value::Text(v) => visitor.visit_str(v),
            Value::List(items) => visitor.visit_seq(Items { items: items.iter(), source: self.source }),
            Value::Map(entries) => {
                visitor.visit_map(Entries { entries: entries.iter(), value: None, source: self.source })
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Bool(v) => visitor.visit_bool(*v),
            Value::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => visitor.visit_bool(true),
                "false" | "no" | "off" => visitor.visit_bool(false),
                _ => Err(self.wrong("true or false")),
            },
            _ => Err(self.wrong("true or false")),
        }
    }

    whole_numbers!(
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Int(v) => visitor.visit_f64(*v as f64),
            Value::UInt(v) => visitor.visit_f64(*v as f64),
            Value::Float(v) => visitor.visit_f64(*v),
            Value::Text(text) => match float(text) {
                Some(v) => visitor.visit_f64(v),
                None => Err(self.wrong("a number")),
            },
            _ => Err(self.wrong("a number")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.written() {
            Some(text) => visitor.visit_string(text),
            None => Err(self.wrong("text")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.wrong("empty")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::List(items) => visitor.visit_seq(Items { items: items.iter(), source: self.source }),
            Value::Text(text) if !text.contains(['\n', '[', ']', ',']) => {
                Err(self.wrong(&format!("a list (write [{}])", crate::text::shorten(text))))
            }
            _ => Err(self.wrong("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Map(entries) => {
                visitor.visit_map(Entries { entries: entries.iter(), value: None, source: self.source })
            }
            _ => Err(self.wrong("a map (key: value lines)")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.written() {
            Some(text) => visitor.visit_enum(text.into_deserializer()),
            None => Err(self.wrong("text")),
        }
    }

    serde::forward_to_deserialize_any! { char bytes byte_buf ignored_any }
}

/// A list's items, for a visitor.
struct Items<'a> {
    items: std::slice::Iter<'a, Node>,
    source: &'a str,
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.items.next().map(|node| seed.deserialize(NodeDeserializer::new(node, self.source))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A map's entries, for a visitor.
struct Entries<'a> {
    entries: std::slice::Iter<'a, Entry>,
    value: Option<&'a Node>,
    source: &'a str,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some(entry) = self.entries.next() else { return Ok(None) };
        self.value = Some(&entry.node);
        seed.deserialize(entry.key.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(node) => seed.deserialize(NodeDeserializer::new(node, self.source)),
            None => Err(de::Error::custom("a map's value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Item {
        name: String,
        speed: Option<f64>,
        limit: Option<u32>,
        on: Option<bool>,
        tools: Option<Vec<String>>,
    }

    fn tree(text: &str) -> Node {
        let mut options = serde_saphyr::Options::default();
        options.reject_non_finite_typeless_float = false;
        serde_saphyr::from_str_with_options(text, options).unwrap()
    }

    fn read(text: &str) -> Result<Item, String> {
        let node = tree(text);
        serde_path_to_error::deserialize(NodeDeserializer::new(&node, text))
            .map_err(|e| format!("{} {}", e.path(), e.inner()))
    }

    #[test]
    fn scalars_read_as_the_field_takes_them_as_written() {
        let item = read("name: 007\nspeed: '1.5'\nlimit: '5'\non: yes\ntools: [1.50, true]\n").unwrap();
        let tools = Some(vec!["1.50".to_owned(), "true".to_owned()]);
        assert_eq!(item, Item { name: "007".into(), speed: Some(1.5), limit: Some(5), on: Some(true), tools });
        assert!(read("name: a\nspeed: .nan\n").unwrap().speed.unwrap().is_nan());
        assert_eq!(read("name: a\nspeed: -.inf\n").unwrap().speed, Some(f64::NEG_INFINITY));
    }

    #[test]
    fn a_wrong_type_is_said_in_the_files_terms() {
        assert_eq!(read("name: a\nspeed: fast\n").unwrap_err(), "speed is \"fast\", but must be a number");
        assert_eq!(read("name: a\nlimit: fifty\n").unwrap_err(), "limit is \"fifty\", but must be a whole number");
        assert_eq!(
            read("name: a\nlimit: -1\n").unwrap_err(),
            "limit is -1, but must be a whole number from 0 to 4294967295"
        );
        assert_eq!(read("name: a\nlimit: 1.0\n").unwrap_err(), "limit is 1.0, but must be a whole number");
        assert_eq!(read("name: a\non: 1\n").unwrap_err(), "on is 1, but must be true or false");
        assert_eq!(read("name: a\ntools: crm\n").unwrap_err(), "tools is \"crm\", but must be a list (write [crm])");
        assert_eq!(read("name: [a]\n").unwrap_err(), "name is a list, but must be text");
        assert_eq!(
            read("name: a\ncolour: red\n").unwrap_err(),
            "colour unknown field `colour`, expected one of name, speed, limit, on, tools"
        );
        assert_eq!(read("speed: 1\n").unwrap_err(), ". missing field `name`");
    }

    #[test]
    fn paths_find_the_deepest_node_there_is() {
        let node = tree("personas:\n  - name: a\n  - name: b\n    voiceDetection: {speed: 1}\n");
        assert_eq!(
            steps("personas[1].voiceDetection.speed"),
            [Step::Key("personas"), Step::Index(1), Step::Key("voiceDetection"), Step::Key("speed")]
        );
        assert_eq!(node.locate(&steps("personas[1].voiceDetection.speed")), (4, 22), "the key's place");
        assert_eq!(node.locate(&steps("personas[1].voiceGeneration")), (3, 5), "as deep as it goes");
        assert_eq!(node.locate(&steps("personas[1]")), (3, 5));
        assert_eq!(steps("tools[0][2]"), [Step::Key("tools"), Step::Index(0), Step::Index(2)]);
    }
}
