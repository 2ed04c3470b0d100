import XCTest
import TestSupport
@testable import Explorer
@testable import Terminal

final class ThemeTests: XCTestCase {
    var themesDirectory: URL { Fixtures.repoRoot.appendingPathComponent("themes") }

    /// Every semantic colour the views use must be named by every theme file.
    static let requiredKeys = ["normal", "dim", "accent", "title", "border", "error", "warning", "success",
                               "header", "footer", "key", "selection", "cursor", "highlight", "input", "tab",
                               "tab.active", "progress", "rank.up", "rank.down", "score", "heat", "diverging", "cluster"]

    func testEveryThemeFileParsesAndIsComplete() throws {
        for name in ["dark", "light", "high-contrast", "mono"] {
            let theme = try Theme.load(name: name, directories: [themesDirectory], environment: [:])
            for key in Self.requiredKeys { XCTAssertNotNil(theme.entries[key], "\(name).theme lacks \(key)") }
        }
    }

    func testBuiltinCopiesMatchTheFiles() throws {
        for name in ["dark", "mono"] {
            let file = try Theme.load(name: name, directories: [themesDirectory], environment: [:])
            let builtin = try Theme.parse(BuiltinThemes.text[name]!, name: name)
            XCTAssertEqual(file, builtin, "BuiltinThemes.\(name) drifted from themes/\(name).theme")
        }
    }

    func testNoColorForcesMonochrome() throws {
        let theme = try Theme.load(name: "dark", directories: [themesDirectory], environment: ["NO_COLOR": "1"])
        XCTAssertEqual(theme.name, "mono")
        XCTAssertFalse(theme.usesColor)
        XCTAssertTrue(try Theme.load(name: nil, directories: [themesDirectory], environment: [:]).usesColor)
    }

    func testUnknownThemeListsTheAvailableOnes() {
        XCTAssertThrowsError(try Theme.load(name: "neon", directories: [themesDirectory], environment: ["NO_COLOR": "1"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("theme 'neon' not found"), text)
            XCTAssertTrue(text.contains("high-contrast"), text)
        }
    }

    func testLookSyntax() throws {
        let t = try Theme.parse("""
            # comment
            normal = default
            selection = 231 on 24 bold   # trailing comment
            error = bright-red underline
            heat = on 17, on 226
            """, name: "t")
        XCTAssertEqual(t.look(.selection), CellLook(foreground: 231, background: 24, bold: true))
        XCTAssertEqual(t.look(.error), CellLook(foreground: 9, underline: true))
        XCTAssertEqual(t.look(.accent), CellLook(), "missing keys fall back to normal")
        // Gradient: low half → first entry, high half → last; text colour chosen for contrast.
        XCTAssertEqual(t.look(.heat(0.2)), CellLook(foreground: 231, background: 17))
        XCTAssertEqual(t.look(.heat(0.9)), CellLook(foreground: 16, background: 226))
        XCTAssertThrowsError(try Theme.parse("normal = 300", name: "bad", file: "bad.theme")) { error in
            XCTAssertEqual("\(error)", "bad.theme:1: unknown colour or attribute `300`")
        }
        XCTAssertThrowsError(try Theme.parse("just words", name: "bad", file: "bad.theme"))
    }

    func testClusterPaletteWraps() throws {
        let t = try Theme.parse("cluster = 1, 2, 3", name: "t")
        XCTAssertEqual(t.look(.cluster(4)).foreground, 2)
    }

    func testColourFallbackFor16ColourTerminals() {
        XCTAssertEqual(TerminalScreen.fit(196, colors: 8), 1)     // bright red → red
        XCTAssertEqual(TerminalScreen.fit(21, colors: 16), 4)     // (0,0,255) is nearest blue (0,0,238)
        XCTAssertEqual(TerminalScreen.fit(51, colors: 16), 14)    // (0,255,255) is bright cyan exactly
        XCTAssertEqual(TerminalScreen.fit(100, colors: 256), 100)
    }

    func testKeyDecoding() {
        XCTAssertEqual(KeyDecoder.character(0x03), .ctrl("c"))
        XCTAssertEqual(KeyDecoder.character(0x17), .ctrl("w"))
        XCTAssertEqual(KeyDecoder.character(0x0D), .enter)
        XCTAssertEqual(KeyDecoder.character(0x7F), .backspace)
        XCTAssertEqual(KeyDecoder.character(0x1B), .esc)
        XCTAssertEqual(KeyDecoder.character(0x65E5), .char("日"))
    }

    func testZWJSequencesAreDrawnAsTheirFirstEmoji() {
        XCTAssertEqual(TerminalScreen.drawableScalars("👨‍👩‍👧").map(\.value), [0x1F468])
        XCTAssertEqual(TerminalScreen.drawableScalars("e\u{301}").map(\.value), [0x65, 0x301])
    }
}
