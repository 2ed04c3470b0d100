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
