//! Acme's employees, shared by the ZIA user directory and the ZDX device inventory.

const FIRST: &[&str] = &[
    "Jane", "John", "Priya", "Miguel", "Aiko", "Olivia", "Liam", "Fatima", "Chen", "Sofia", "Noah",
    "Amara", "Lucas", "Ingrid", "Ravi", "Hannah", "Diego", "Yuki", "Emma", "Kwame", "Elena",
    "Omar", "Grace", "Mateo", "Zara",
];
const LAST: &[&str] = &[
    "Doe", "Smith", "Patel", "Garcia", "Tanaka", "Johnson", "Müller", "Khan", "Wang", "Rossi",
    "Nguyen",
];

/// Departments: (id, name).
pub(crate) const DEPARTMENTS: &[(i64, &str)] = &[
    (68_759_301, "Engineering"),
    (68_759_302, "Finance"),
    (68_759_303, "Sales"),
    (68_759_304, "Marketing"),
    (68_759_305, "Human Resources"),
    (68_759_306, "IT"),
    (68_759_307, "Legal"),
    (68_759_308, "Operations"),
];

/// Groups: (id, name).
pub(crate) const GROUPS: &[(i64, &str)] = &[
    (62_718_381, "All Employees"),
    (62_718_382, "Contractors"),
    (62_718_383, "Executives"),
    (62_718_384, "Remote Workers"),
    (62_718_385, "Developers"),
    (62_718_386, "Service Admin"),
];

/// How many employees the tenant has.
pub(crate) const HEADCOUNT: usize = 250;

/// One employee, derived from an index so the directory is the same on every start.
pub(crate) struct Person {
    pub index: usize,
    pub name: String,
    pub email: String,
    pub department: (i64, &'static str),
    pub groups: Vec<(i64, &'static str)>,
}

fn pick<T: Copy>(list: &[T], i: usize, fallback: T) -> T {
    list.get(i % list.len().max(1)).copied().unwrap_or(fallback)
}

/// The `index`-th employee. First and last names cycle with co-prime periods, so the first
/// 275 (25 x 11) name pairs are all distinct.
pub(crate) fn person(index: usize) -> Person {
    let first = pick(FIRST, index, "Alex");
    let last = pick(LAST, index / FIRST.len() + index, "Lee");
    let department = pick(DEPARTMENTS, index * 7 / 3, (0, "General"));
    let mut groups = vec![pick(GROUPS, 0, (0, "All Employees"))];
    if index.is_multiple_of(3) {
        groups.push(pick(GROUPS, 1 + index % 5, (0, "Contractors")));
    }
    Person {
        index,
        name: format!("{first} {last}"),
        email: format!(
            "{}.{}@acme.com",
            first.to_lowercase(),
            ascii_fold(&last.to_lowercase())
        ),
        department,
        groups,
    }
}

fn ascii_fold(text: &str) -> String {
    text.replace('ü', "ue")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_unique() {
        let mut emails: Vec<String> = (0..HEADCOUNT).map(|i| person(i).email).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), HEADCOUNT);
    }
}
