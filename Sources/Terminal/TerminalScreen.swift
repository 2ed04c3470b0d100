import CNcurses
import Explorer
import Foundation

/// Input from the terminal, decoded into the explorer's vocabulary.
public enum TerminalEvent: Equatable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
}

public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal
    case initFailed(String)
    public var description: String {
        switch self {
        case .notATerminal:
            return "loupe explore needs an interactive terminal (stdin and stdout must be a TTY); "
                + "for scripts use the subcommands (loupe search, loupe cluster, …)"
        case .initFailed(let why): return "could not start the terminal UI: \(why) (check $TERM)"
        }
    }
}

/// The one place that talks to ncurses: start/stop curses mode, draw a Screen, read input.
/// Not thread-safe: use it from the runtime's input loop only.
public final class TerminalScreen {
    private let theme: Theme
    private var colorPairs: [CellLook: Int16] = [:]
    private var nextPair: Int16 = 1
    private var colorEnabled = false
    private var colorCount = 0
    private var active = false

    /// Enters curses mode: locale for UTF-8, raw keys, no echo, keypad and mouse decoding, hidden
    /// cursor, 256 colours with the terminal's default background. Installs signal handlers that
    /// restore the terminal on termination and on a crash.
    public init(theme: Theme) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        self.theme = theme
        setlocale(LC_ALL, "")
        setenv("ESCDELAY", "25", 0)                 // Esc reacts in 25 ms instead of a second
        SignalGuard.install()                       // saves the tty modes first
        guard initscr() != nil else { SignalGuard.uninstall(); throw TerminalError.initFailed("initscr failed") }
        active = true
        raw()                                       // Ctrl-C arrives as a key: quitting is ours to do cleanly
        noecho()
        nonl()
        _ = loupe_keypad(1)
        curs_set(0)
        mouseinterval(0)
        mousemask(loupe_click_and_wheel_events(), nil)
        if theme.usesColor && has_colors() {
            start_color()
            use_default_colors()
            colorEnabled = true
            colorCount = Int(loupe_colors())
        }
    }

    deinit { restore() }

    /// Leaves curses mode and restores the terminal (idempotent).
    public func restore() {
        guard active else { return }
        active = false
        mousemask(0, nil)
        curs_set(1)
        endwin()
        SignalGuard.uninstall()
    }

    public var size: (width: Int, height: Int) { (Int(loupe_cols()), Int(loupe_lines())) }

    /// Draws the whole screen (ncurses diffs against what is shown, so only changes go out).
    public func draw(_ screen: Screen) {
        guard active else { return }
        loupe_erase()
        let rows = min(screen.height, Int(loupe_lines())), cols = min(screen.width, Int(loupe_cols()))
        var buffer: [wchar_t] = []
        for y in 0..<rows {
            var x = 0
            while x < cols {
                let cell = screen[x, y]
                defer { x += max(1, cell.width) }
                guard cell.width > 0, x + cell.width <= cols else { continue }
                apply(theme.look(cell.style))
                buffer.removeAll(keepingCapacity: true)
                for s in Self.drawableScalars(cell.text) { buffer.append(wchar_t(bitPattern: s.value)) }
                buffer.append(0)
                _ = loupe_mvaddwstr(Int32(y), Int32(x), buffer)
            }
        }
        loupe_attr_set(loupe_a_normal(), 0)
        loupe_refresh()
    }

    /// The scalars to send for one grapheme. Emoji ZWJ sequences are reduced to their first emoji:
    /// wcwidth-based terminals would draw every part 2 columns wide and break the layout.
    static func drawableScalars(_ text: String) -> [Unicode.Scalar] {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count > 1, scalars.contains(where: { $0.value == 0x200D }) else {
            return scalars.isEmpty ? [" "] : scalars
        }
        return [scalars[0]]
    }

    private func apply(_ look: CellLook) {
        var attrs = loupe_a_normal()
        if look.bold { attrs |= loupe_a_bold() }
        if look.dim { attrs |= loupe_a_dim() }
        if look.underline { attrs |= loupe_a_underline() }
        if look.reverse { attrs |= loupe_a_reverse() }
        if look.italic { attrs |= loupe_a_italic() }
        loupe_attr_set(attrs, colorEnabled ? pair(look) : 0)
    }

    /// A colour pair for the look's colours, allocated on first use.
    private func pair(_ look: CellLook) -> Int16 {
        let key = CellLook(foreground: look.foreground, background: look.background)
        if key.foreground < 0 && key.background < 0 { return 0 }
        if let p = colorPairs[key] { return p }
        guard Int(nextPair) < min(Int(loupe_color_pairs()), Int(Int16.max)) else { return 0 }
        let p = nextPair
        nextPair += 1
        init_pair(p, Int16(Self.fit(key.foreground, colors: colorCount)), Int16(Self.fit(key.background, colors: colorCount)))
        colorPairs[key] = p
        return p
    }

    /// Maps a 256-colour index to the nearest colour the terminal has (8/16-colour terminals).
    static func fit(_ color: Int, colors: Int) -> Int {
        guard color >= colors, colors > 0 else { return color }
        let target = Palette.rgb(color)
        var best = 0
        var bestDistance = Double.infinity
        for c in 0..<min(colors, 16) {
            let p = Palette.rgb(c)
            let d = pow(p.0 - target.0, 2) + pow(p.1 - target.1, 2) + pow(p.2 - target.2, 2)
            if d < bestDistance { bestDistance = d; best = c }
        }
        return best
    }

    /// Waits up to `timeoutMs` for input; nil when nothing came.
    public func read(timeoutMs: Int) -> TerminalEvent? {
        guard active else { return nil }
        loupe_timeout(Int32(timeoutMs))
        var ch: wint_t = 0
        let r = loupe_get_wch(&ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES { return decodeFunctionKey(Int32(bitPattern: ch)) }
        return KeyDecoder.character(UInt32(ch)).map { .key($0) }
    }

    private func decodeFunctionKey(_ code: Int32) -> TerminalEvent? {
        switch code {
        case KEY_RESIZE:
            return .resize(width: Int(loupe_cols()), height: Int(loupe_lines()))
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            let kind: MouseEvent.Kind
            if loupe_is_wheel_up(event.bstate) != 0 { kind = .scrollUp }
            else if loupe_is_wheel_down(event.bstate) != 0 { kind = .scrollDown }
            else if loupe_is_button1(event.bstate) != 0 { kind = .press }
            else { return nil }
            return .mouse(MouseEvent(x: Int(event.x), y: Int(event.y), kind: kind))
        default:
            for n in 1...12 where code == loupe_key_f(Int32(n)) { return .key(.f(n)) }
            return KeyDecoder.functionKey(code).map { .key($0) }
        }
    }
}

/// Terminal codes → keys (kept apart from ncurses calls so it is testable).
public enum KeyDecoder {
    public static func character(_ c: UInt32) -> Key? {
        switch c {
        case 0x1B: return .esc
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x01...0x1A: return .ctrl(Character(Unicode.Scalar(UInt8(c + 0x60))))
        case 0x00, 0x1C...0x1F: return nil
        default: return Unicode.Scalar(c).map { .char(Character($0)) }
        }
    }

    public static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        default: return nil
        }
    }
}
