//! Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.

/// A configuration the user must fix; its message is printed as is and the exit code is 2.
#[derive(Debug)]
pub struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Wraps a message as a [`UsageError`].
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// Prints `error` to stderr and maps it to the exit code.
pub fn report(error: &anyhow::Error) -> u8 {
    if let Some(usage) = error.downcast_ref::<UsageError>() {
        eprintln!("{usage}");
        2
    } else {
        eprintln!("Error: {error:#}");
        1
    }
}
