import Explorer
import ExplorerRuntime
import Foundation
import Terminal

/// The input loop: the only place where state changes. It reads the keys that arrived (waiting at most
/// one tick for the first), turns each into a message, updates the state, hands effects to the runner
/// and redraws once; between keys it drains the messages background tasks posted and fires due
/// debounce timers.
final class ExplorerLoop: @unchecked Sendable {
    let theme: Theme
    let queue: MessageQueue
    let runner: EffectRunner
    /// Input poll timeout: bounds how late a background result reaches the screen.
    let tickMs = 15
    private(set) var latency = LatencyStats()

    init(theme: Theme, queue: MessageQueue, runner: EffectRunner) {
        self.theme = theme; self.queue = queue; self.runner = runner
    }

    /// Runs until the person quits (or a fatal error is reported); the terminal is restored on return.
    func run() throws {
        let terminal = try TerminalScreen(theme: theme)
        defer { terminal.restore() }
        let size = terminal.size
        var state = AppState(width: size.width, height: size.height)
        var timers: [(deadline: DispatchTime, message: Message)] = []

        func perform(_ effects: [Effect]) {
            for e in effects {
                switch e {
                case .debounce(let token, let seconds):
                    timers.append((.now() + seconds, .debounceElapsed(token: token)))
                case .quit: state.quitting = true
                default: runner.run(e)
                }
            }
        }

        terminal.draw(render(state))
        while !state.quitting && runner.fatal == nil {
            // Background results and due timers.
            var dirty = false
            for m in queue.drain() { perform(update(&state, m)); dirty = true }
            let now = DispatchTime.now()
            let due = timers.filter { $0.deadline <= now }
            if !due.isEmpty {
                timers.removeAll { $0.deadline <= now }
                for t in due { perform(update(&state, t.message)) }
                dirty = true
            }
            if dirty { terminal.draw(render(state)) }
            if state.quitting { break }

            // Input: wait at most one tick (less when a timer is about to fire).
            var wait = tickMs
            if let next = timers.map(\.deadline).min() {
                let ms = Int((Double(next.uptimeNanoseconds) - Double(DispatchTime.now().uptimeNanoseconds)) / 1e6)
                wait = max(0, min(wait, ms))
            }
            guard var event = terminal.read(timeoutMs: wait) else { continue }
            // Every event already waiting is applied before one redraw: a paste (or a monkey) of
            // thousands of keys would otherwise queue a full render per key, and a quit key behind them.
            let start = DispatchTime.now()
            var keys = 0
            while true {
                switch event {
                case .key(let k): perform(update(&state, .key(k))); keys += 1
                case .mouse(let m): perform(update(&state, .mouse(m)))
                case .resize(let w, let h): perform(update(&state, .resize(width: w, height: h)))
                }
                if state.quitting || keys >= 512 { break }
                guard let next = terminal.read(timeoutMs: 0) else { break }
                event = next
            }
            terminal.draw(render(state))
            if keys > 0 {
                latency.add(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
            }
        }
        runner.stop(waitingUpTo: 2)
    }
}
