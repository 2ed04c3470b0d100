import Foundation

/// Locates test fixtures. `make fixtures` unpacks `Tests/Fixtures/*.tar.xz` into `.fixtures/`
/// at the repository root (the archives are committed; the unpacked copy is ignored by git).
public enum Fixtures {
    /// The repository root, found from this file's path (works from any working directory).
    public static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TestSupport/Fixtures.swift
        return url
    }()

    public static var root: URL { repoRoot.appendingPathComponent(".fixtures") }

    /// `.fixtures/<relative>`; throws a message that says how to create it when missing.
    public static func url(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.missing(url.path)
        }
        return url
    }

    public static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: url(relative))
    }

    /// Parsed JSON (`[String: Any]` / `[Any]`) of a fixture file.
    public static func json(_ relative: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(relative))
    }

    /// Directory of the default model (all-MiniLM-L6-v2) fetched by `make model`.
    public static func defaultModelDirectory() throws -> URL {
        let env = ProcessInfo.processInfo.environment
        let home = env["LOUPE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loupe")
        let dir = home.appendingPathComponent("models/all-MiniLM-L6-v2")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) else {
            throw FixtureError.missing(dir.path + " (run `make model`)")
        }
        return dir
    }

    /// A fresh temporary directory, removed by the caller (or left for the OS).
    public static func temporaryDirectory(_ label: String = "loupe-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    public var description: String {
        switch self {
        case .missing(let path): return "fixture not found: \(path) — run `make fixtures` (or `make test`) first"
        }
    }
}

/// Max absolute difference between two float arrays (llm.c's check_tensor idea).
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var m: Float = 0
    for i in a.indices { m = max(m, abs(a[i] - b[i])) }
    return m
}

public func cosine(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var d: Double = 0, na: Double = 0, nb: Double = 0
    for i in a.indices { d += Double(a[i]) * Double(b[i]); na += Double(a[i] * a[i]); nb += Double(b[i] * b[i]) }
    return Float(d / (na.squareRoot() * nb.squareRoot() + 1e-30))
}

/// JSON number arrays come back from JSONSerialization as [Any]; convert.
public func floats(_ any: Any?) -> [Float] {
    (any as? [Any] ?? []).map { ($0 as? NSNumber)?.floatValue ?? .nan }
}

public func ints(_ any: Any?) -> [Int] {
    (any as? [Any] ?? []).map { ($0 as? NSNumber)?.intValue ?? Int.min }
}

/// Deterministic RNG for tests (SplitMix64).
public struct SeededRNG: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

/// The loupe executable `swift build` / `swift test` put in `.build/debug` (or a release build), and a
/// way to run it: what the end-to-end tests drive.
public enum LoupeBinary {
    /// The binary built with the running tests: the one beside the test bundle (so `swift test
    /// --scratch-path .build-asan` drives the sanitized binary), else `.build/debug`, else `.build/release`.
    public static func url() throws -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("loupe")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        for config in ["debug", "release"] {
            let url = Fixtures.repoRoot.appendingPathComponent(".build/\(config)/loupe")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw FixtureError.missing(Fixtures.repoRoot.appendingPathComponent(".build/debug/loupe").path
                                   + " (the loupe executable; `swift build` builds it)")
    }

    /// Runs `loupe args…` with `LOUPE_HOME` set to `home` (and `stdin` as its standard input) to the end;
    /// `environment` sets variables, or removes those mapped to nil.
    public static func run(_ args: [String], home: URL, stdin: String = "",
                           environment: [String: String?] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let input = home.appendingPathComponent("stdin-\(UUID().uuidString)")
        try stdin.write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = try url()
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["LOUPE_HOME"] = home.path
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = try FileHandle(forReadingFrom: input)
        try process.run()
        // Read both pipes to the end before waiting, so a full pipe never blocks the child.
        let errors = ErrorOutput()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errors.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let e = errors.data
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

private final class ErrorOutput: @unchecked Sendable { var data = Data() }

/// A corpus where two long documents own most of the chunks (with a small --chunk-tokens) and six
/// short ones are one chunk each: the shape that once made the explorer's search return fewer than k
/// documents. Written as JSON Lines.
public enum ChunkedCorpus {
    public static let documents: [String] = [
        (1...12).map { "Password help \($0): to reset your password open the settings page, choose security and follow the email link." }
            .joined(separator: " "),
        (1...12).map { "Billing note \($0): invoices are sent monthly and a refund for a double charge takes five days." }
            .joined(separator: " "),
        "How do I reset my password if I lost access to my email?",
        "Can I change the password of a shared account?",
        "The garden needs water twice a week in summer.",
        "Refunds go back to the card that paid.",
        "Our office is closed on public holidays.",
        "Two-factor codes arrive by text message.",
    ]

    public static func write(to directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("chunked.jsonl")
        let lines = try documents.map { String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0]), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}

/// JSON numbers read exactly. (Foundation's JSONSerialization on Linux can be one ulp off for doubles,
/// e.g. 0.7520898857508356 → …357; JSONDecoder rounds correctly, so comparisons "to the bit" use this.)
public struct JSONObject: Decodable {
    public var strings: [String: String] = [:]
    public var numbers: [String: Double] = [:]
    public var integers: [String: Int] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for key in c.allKeys {
            if let i = try? c.decode(Int.self, forKey: key) { integers[key.stringValue] = i }
            if let d = try? c.decode(Double.self, forKey: key) { numbers[key.stringValue] = d }
            if let s = try? c.decode(String.self, forKey: key) { strings[key.stringValue] = s }
        }
    }

    /// One object per line (JSON Lines).
    public static func lines(_ text: String) throws -> [JSONObject] {
        try text.split(separator: "\n").map { try JSONDecoder().decode(JSONObject.self, from: Data($0.utf8)) }
    }
}

/// Polls `condition` every millisecond until it holds; throws (instead of hanging a test) after `timeout` s.
public func waitUntil(timeout: Double = 30, _ condition: () -> Bool, line: UInt = #line) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else { throw WaitTimeout(description: "condition (line \(line)) not reached within \(timeout) s") }
        try await Task.sleep(nanoseconds: 1_000_000)
    }
}

public struct WaitTimeout: Error, CustomStringConvertible {
    public var description: String
}
