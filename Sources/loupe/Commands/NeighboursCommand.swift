import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe neighbours`.
struct NeighboursCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "neighbours", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe neighbours is not implemented yet") }
}
