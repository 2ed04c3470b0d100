import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe search`.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe search is not implemented yet") }
}
