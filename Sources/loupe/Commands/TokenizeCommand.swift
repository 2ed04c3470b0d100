import ArgumentParser
import Foundation
import Tokenizers

/// `loupe tokenize`: JSON Lines in (`{"text": "..."}`), one JSON line out per input line:
/// `{"ids": [...], "tokens": [...], "offsets": [[start, end], ...]}` (offsets in Unicode scalars),
/// or `{"error": "..."}` for a bad line; exits non-zero when any line failed.
struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSON Lines from stdin ({\"text\": ...} per line) and print ids, tokens and offsets.",
        discussion: """
            Each output line is {"ids": [...], "tokens": [...], "offsets": [[start, end], ...]} with \
            offsets in Unicode scalars of the input text (special tokens get [0, 0]). A line that is \
            not valid JSON or has no "text" string gets {"error": "..."} and the rest go on; the exit \
            code is non-zero if any line failed.
            """)

    @Option(name: .long, help: "Path of a tokenizer.json.")
    var tokenizer: String?

    @Option(name: .long, help: "Model directory; uses DIR/tokenizer.json.")
    var model: String?

    @Option(name: .long, help: "Truncate to at most N ids (special tokens are kept).")
    var maxLength: Int?

    @Flag(name: .long, help: "Do not add the special tokens (<s> </s>, [CLS] [SEP]).")
    var noSpecialTokens = false

    func validate() throws {
        if (tokenizer == nil) == (model == nil) {
            throw ValidationError("give exactly one of --tokenizer PATH or --model DIR")
        }
        if let n = maxLength, n < 1 { throw ValidationError("--max-length must be at least 1") }
    }

    func run() async throws {
        let path = tokenizer ?? URL(fileURLWithPath: model ?? ".").appendingPathComponent("tokenizer.json").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("tokenizer not found: \(path) — pass --tokenizer PATH to a tokenizer.json or --model DIR containing one")
        }
        let tok: Tokenizer
        do { tok = try Tokenizer(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("\(error)")
        }
        var failed = 0
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            let out: String
            switch Self.text(of: line) {
            case .success(let text):
                let e = tok.encode(text, addSpecialTokens: !noSpecialTokens, maxLength: maxLength)
                out = Self.json(e)
            case .failure(let message):
                failed += 1
                out = "{\"error\": \(Self.jsonString("line \(lineNumber): \(message.text)"))}"
            }
            // Written unbuffered, line by line, so a caller can stream records through.
            FileHandle.standardOutput.write(Data((out + "\n").utf8))
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("loupe tokenize: \(failed) of \(lineNumber) lines failed\n".utf8))
            throw ExitCode(1)
        }
    }

    struct LineError: Error { var text: String }

    private struct Line: Decodable { var text: String? }

    /// The "text" of one JSON Lines record. JSONDecoder (unlike JSONSerialization) keeps a
    /// leading U+FEFF inside strings, which offsets must count.
    static func text(of line: String) -> Result<String, LineError> {
        let data = Data(line.utf8)
        let decoded: Line
        do { decoded = try JSONDecoder().decode(Line.self, from: data) } catch DecodingError.typeMismatch(_, let ctx)
            where ctx.codingPath.first?.stringValue == "text" {
            return .failure(LineError(text: "\"text\" must be a string"))
        } catch DecodingError.dataCorrupted {
            return .failure(LineError(text: "not valid JSON: expected {\"text\": \"...\"}"))
        } catch {
            return .failure(LineError(text: "not a JSON object: expected {\"text\": \"...\"}"))
        }
        guard let text = decoded.text else { return .failure(LineError(text: "no \"text\" field")) }
        return .success(text)
    }

    static func json(_ e: Encoding) -> String {
        var s = "{\"ids\": ["
        s += e.ids.map { String($0) }.joined(separator: ", ")
        s += "], \"tokens\": ["
        s += e.tokens.map(jsonString).joined(separator: ", ")
        s += "], \"offsets\": ["
        s += e.offsets.map { "[\($0.lowerBound), \($0.upperBound)]" }.joined(separator: ", ")
        s += "]}"
        return s
    }

    /// A JSON string literal (RFC 8259 escaping: quote, backslash and control characters).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) || u.value == 0x2028 || u.value == 0x2029 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
