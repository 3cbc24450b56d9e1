import Foundation

/// The fenced code blocks of Markdown documents (the README, the DocC articles), and the check that a test
/// file holds each of them verbatim, so that documentation cannot show code that no test compiles.
///
/// Lines are compared without their leading and trailing whitespace, so a block may sit indented inside a
/// test function (or inside a multi-line string literal, for a manifest or a Python script).
public enum MarkdownCodeBlocks {
    /// The contents of every block fenced as ```` ```language ````, in document order.
    /// - Parameters:
    ///   - markdown: The Markdown text.
    ///   - language: The fence's language tag, such as `swift` or `python`.
    /// - Returns: Each block's lines, without the fences.
    public static func blocks(in markdown: String, language: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]? = nil
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var lines = current {
                if trimmed == "```" {
                    blocks.append(lines.joined(separator: "\n"))
                    current = nil
                } else {
                    lines.append(line)
                    current = lines
                }
            } else if trimmed == "```" + language {
                current = []
            }
        }
        return blocks
    }

    /// The blocks of `markdown` in `language` that `source` does not contain verbatim (line by line, with
    /// each line's surrounding whitespace removed).
    /// - Parameters:
    ///   - markdown: The Markdown text whose blocks must be compiled.
    ///   - source: The text of the test file that compiles them.
    ///   - language: The fence's language tag (`swift` by default).
    /// - Returns: The missing blocks; empty when every block is there.
    public static func blocksMissing(from source: String, markdown: String, language: String = "swift") -> [String] {
        let normalizedSource = normalized(source)
        return blocks(in: markdown, language: language).filter { !normalizedSource.contains(normalized($0)) }
    }

    /// `text` with every line's leading and trailing whitespace removed.
    static func normalized(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n")
    }
}
