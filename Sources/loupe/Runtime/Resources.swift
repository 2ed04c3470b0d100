import Foundation

/// Finds the files loupe ships next to its sources (samples/, themes/) whether it runs from the
/// repository (`.build/release/loupe`), from an installed copy, or from any current directory.
enum Resources {
    /// Candidate directories named `name`, most specific first: $LOUPE_RESOURCES, the current
    /// directory, the executable's directory and its ancestors, and the repository this binary
    /// was built from.
    static func directories(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var roots: [URL] = []
        if let r = environment["LOUPE_RESOURCES"], !r.isEmpty { roots.append(URL(fileURLWithPath: r)) }
        roots.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        if let path = Bundle.main.executablePath { exe = URL(fileURLWithPath: path).resolvingSymlinksInPath() }
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {                                    // .build/x86_64-unknown-linux-gnu/release/loupe → repo
            roots.append(dir); dir.deleteLastPathComponent()
        }
        var source = URL(fileURLWithPath: #filePath)         // Sources/loupe/Runtime/Resources.swift
        for _ in 0..<4 { source.deleteLastPathComponent() }
        roots.append(source)
        var seen = Set<String>()
        return roots.map { $0.appendingPathComponent(name).standardizedFileURL }
            .filter { seen.insert($0.path).inserted }
    }

    /// The existing directories among `directories(name)`.
    static func existing(_ name: String) -> [URL] {
        directories(name).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDir) && isDir.boolValue
        }
    }

    /// The default corpus: samples/faq.txt.
    static func defaultSample() throws -> String {
        let candidates = directories("samples").map { $0.appendingPathComponent("faq.txt") }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) { return found.path }
        throw CLIError("no corpus given and the default sample samples/faq.txt was not found (looked in "
                       + candidates.map { $0.deletingLastPathComponent().path }.joined(separator: ", ")
                       + "); pass a corpus: loupe explore FILE…, or set LOUPE_RESOURCES to the loupe checkout")
    }
}
