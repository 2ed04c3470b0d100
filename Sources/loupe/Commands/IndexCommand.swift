import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe index`.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe index is not implemented yet") }
}
