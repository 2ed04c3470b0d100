import Foundation

/// A fuzz target: one input in, no crash out. A clean error for bad input is a pass; a broken invariant
/// throws `HarnessFailure` (the fuzzer then aborts and keeps the input, a test fails naming it).
///
/// The same harnesses run under libFuzzer (`loupe-fuzz`, built by `make fuzz`) and as plain XCTest cases
/// that replay the committed inputs under `Tests/FuzzCorpus/<name>/` (`make test`).
public protocol Harness {
    func run(_ input: [UInt8]) throws
}

public struct HarnessFailure: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invariant broken: \(message)" }
}

/// Every harness by name. A new one is a type conforming to `Harness`, a case here, and a folder of
/// seed inputs under `Tests/FuzzCorpus/<name>/`.
public enum Harnesses {
    public static let names = ["safetensors", "model-config", "tokenizer-json", "tokenize-unigram", "tokenize-wordpiece", "corpus", "server-request"]

    /// Builds a harness. `fixtures` is the unpacked test fixtures folder (`.fixtures`, from `make fixtures`).
    public static func make(_ name: String, fixtures: URL) throws -> any Harness {
        switch name {
        case "safetensors": return SafeTensorsHarness()
        case "model-config": return try ModelConfigHarness(fixtures: fixtures)
        case "tokenizer-json": return TokenizerJSONHarness()
        case "tokenize-unigram": return try TokenizeHarness(tokenizer: fixtures.appendingPathComponent("tokenizer/xlmr-250k/tokenizer.json"))
        case "tokenize-wordpiece": return try TokenizeHarness(tokenizer: fixtures.appendingPathComponent("tokenizer/minilm/tokenizer.json"))
        case "corpus": return CorpusHarness()
        case "server-request": return ServerRequestHarness()
        default:
            throw HarnessFailure("unknown harness '\(name)'; known: \(names.joined(separator: ", "))")
        }
    }
}

/// Fails with `message` unless `condition` holds.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) throws {
    if !condition() { throw HarnessFailure(message()) }
}

extension Array where Element == UInt8 {
    /// The parts between NUL bytes (a NUL never occurs in JSON text, so it separates files in one input).
    func nulSeparated() -> [[UInt8]] {
        split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
    }
}
