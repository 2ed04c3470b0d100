import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe cache`.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cache", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe cache is not implemented yet") }
}
