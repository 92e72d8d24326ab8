//! Reading input with a bound: standard input, a command's output, and the
//! files csms keeps (config, journal, caches), which a symlink to
//! `/dev/zero` or a FIFO may have replaced. Nothing is read past its bound,
//! and a kept file that is not a regular file is refused before a read can
//! block or run on forever.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::Path;

/// The most csms reads of a file it keeps whole (the config, `targets.json`,
/// `ui.json`, an accounts file, a CA bundle): far more than a real one holds.
pub const FILE_LIMIT: usize = 1 << 20;

/// Opens `path` for reading if it is a regular file. The open does not wait
/// for a FIFO's writer (O_NONBLOCK), and the check is on what was opened,
/// so the file cannot be swapped in between.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file: not read"));
    }
    Ok(file)
}

/// At most `limit` bytes from `reader`; more is an error that names the bound.
pub fn read_at_most(reader: impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("more than {limit} bytes: not read")));
    }
    Ok(bytes)
}

/// A regular file of at most `limit` bytes, whole.
pub fn read_file(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    read_at_most(open_regular(path)?, limit)
}

/// As `read_file`, as UTF-8 text.
pub fn read_file_string(path: &Path, limit: usize) -> io::Result<String> {
    String::from_utf8(read_file(path, limit)?).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// One line from a reader.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The line without its line ending.
    Text(Vec<u8>),
    /// Longer than the bound: only the bound's worth was read.
    TooLong,
    End,
}

/// The next line, reading at most `limit` bytes of it (and its newline).
pub fn next_line(reader: &mut impl BufRead, limit: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    Read::take(&mut *reader, limit as u64 + 1).read_until(b'\n', &mut line)?;
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    } else if line.len() > limit {
        return Ok(Line::TooLong);
    } else if line.is_empty() {
        return Ok(Line::End);
    }
    Ok(Line::Text(line))
}

/// The lines of `reader` as text, each at most `limit` bytes and at most
/// `count` of them; `from` names the input in the error that ends them.
pub fn lines<R: BufRead>(reader: R, from: &str, limit: usize, count: usize) -> Lines<R> {
    Lines { reader: Some(reader), from: from.to_string(), limit, count, read: 0 }
}

pub struct Lines<R> {
    /// `None` once ended: an error is the last item.
    reader: Option<R>,
    from: String,
    limit: usize,
    count: usize,
    read: usize,
}

impl<R: BufRead> Lines<R> {
    fn fail(&mut self, message: &str) -> Option<io::Result<String>> {
        self.reader = None;
        Some(Err(io::Error::new(io::ErrorKind::InvalidData, format!("{}: {message}", self.from))))
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<io::Result<String>> {
        let reader = self.reader.as_mut()?;
        let line = match next_line(reader, self.limit) {
            Ok(line) => line,
            Err(e) => return self.fail(&e.to_string()),
        };
        match line {
            Line::End => None,
            Line::TooLong => self.fail(&format!("a line longer than {} bytes", self.limit)),
            Line::Text(_) if self.read == self.count => self.fail(&format!("more than {} lines", self.count)),
            Line::Text(bytes) => {
                self.read += 1;
                match String::from_utf8(bytes) {
                    Ok(text) => Some(Ok(text)),
                    Err(_) => self.fail(&format!("line {} is not UTF-8 text", self.read)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_their_bounds_with_an_error_naming_it() {
        let read = |input: &str, limit, count| -> Vec<Result<String, String>> {
            lines(input.as_bytes(), "input", limit, count).map(|l| l.map_err(|e| e.to_string())).collect()
        };
        assert_eq!(read("a\r\nbb\n\nccc", 3, 10), [Ok("a".into()), Ok("bb".into()), Ok("".into()), Ok("ccc".into())]);
        assert_eq!(read("abc\nabcd\nx\n", 3, 10), [Ok("abc".into()), Err("input: a line longer than 3 bytes".into())]);
        assert_eq!(read("a\nb\nc\n", 3, 2), [Ok("a".into()), Ok("b".into()), Err("input: more than 2 lines".into())]);
        assert_eq!(read("abcd", 3, 2), [Err("input: a line longer than 3 bytes".into())]);
    }

    #[test]
    fn a_file_is_read_up_to_its_bound_and_only_if_regular() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "12345").unwrap();
        assert_eq!(read_file(&path, 5).unwrap(), b"12345");
        assert_eq!(read_file(&path, 4).unwrap_err().to_string(), "more than 4 bytes: not read");
        assert_eq!(read_file(dir.path(), 5).unwrap_err().to_string(), "not a regular file: not read");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
            assert_eq!(read_file(&fifo, 5).unwrap_err().to_string(), "not a regular file: not read");
            assert_eq!(read_file(Path::new("/dev/zero"), 5).unwrap_err().to_string(), "not a regular file: not read");
        }
    }
}
