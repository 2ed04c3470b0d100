import CFuzzDriver
import Foundation
import FuzzHarness

// Built by `make fuzz` (`-sanitize=fuzzer,address -DFUZZING`), `main` hands over to libFuzzer's driver,
// which calls `fuzzOneInput` for every input; the harness is named by LOUPE_FUZZ_HARNESS. Built normally,
// `main` replays files instead: `loupe-fuzz HARNESS FILE...` (to reproduce a saved crash input).
// (SwiftPM renames an executable's `main`, so libFuzzer's own `main` cannot be used.)

nonisolated(unsafe) private var harness: (any Harness)?

/// `.fixtures` of this checkout (or $LOUPE_FUZZ_FIXTURES).
private func fixtures() -> URL {
    if let path = ProcessInfo.processInfo.environment["LOUPE_FUZZ_FIXTURES"], !path.isEmpty { return URL(fileURLWithPath: path) }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Sources/loupe-fuzz/Entry.swift
    return url.appendingPathComponent(".fixtures")
}

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("loupe-fuzz: " + message + "\n").utf8))
    abort()
}

/// Builds the harness named by LOUPE_FUZZ_HARNESS (before fuzzing starts: loading the 250k-piece
/// tokenizer in a sanitized debug build must not count against the first input's timeout).
private func makeHarness() {
    let name = ProcessInfo.processInfo.environment["LOUPE_FUZZ_HARNESS"] ?? ""
    do { harness = try Harnesses.make(name, fixtures: fixtures()) } catch {
        fail("\(error) (set LOUPE_FUZZ_HARNESS to one of: \(Harnesses.names.joined(separator: ", ")); run `make fixtures`)")
    }
}

/// One input (libFuzzer's runtime references this name).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let harness else { fail("no harness") }
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try harness.run(input) } catch { fail("\(error)") }
    return 0
}

@main
enum Entry {
    static func main() {
        #if FUZZING
        makeHarness()
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOneInput($0, $1) })
        #else
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, args.count >= 2 else {
            print("usage: loupe-fuzz HARNESS FILE...  (harnesses: \(Harnesses.names.joined(separator: ", ")))")
            exit(2)
        }
        setenv("LOUPE_FUZZ_HARNESS", name, 1)
        makeHarness()
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
            _ = data.withUnsafeBytes { fuzzOneInput($0.bindMemory(to: UInt8.self).baseAddress, data.count) }
            print("ok \(path)")
        }
        #endif
    }
}
