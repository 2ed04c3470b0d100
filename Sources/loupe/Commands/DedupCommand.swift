import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe dedup`.
struct DedupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dedup", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe dedup is not implemented yet") }
}
