import Foundation
import Testing
import Training

/// `trainer report` draws through the shared Plots module; its SVG must stay byte for byte what
/// the original LossPlot wrote (the golden below was produced by that code before the move).
@Suite struct LossPlotTests {
    @Test func svgMatchesTheOriginalDrawing() {
        typealias P = LossPlot.Point
        let svg = LossPlot.svg(
            train: [P(tokens: 512, loss: 6.25), P(tokens: 1024, loss: 5.5), P(tokens: 1536, loss: 5.75), P(tokens: 2048, loss: 4.9)],
            validation: [P(tokens: 1024, loss: 5.6), P(tokens: 2048, loss: 5.1)], title: "loss: gpt-tiny")
        #expect(svg == Self.golden)
    }

    /// Several runs: one validation curve each, named by its run, against tokens or against the
    /// training seconds summed from the steps' times.
    @Test func severalRunsShareOneChart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lossplot-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = [#"{"step":-1,"tokens":0,"val_loss":9}"#, #"{"step":0,"tokens":100,"loss":8,"ms":1500}"#,
                     #"{"step":1,"tokens":200,"loss":7,"ms":2500}"#, #"{"step":1,"tokens":200,"val_loss":6.5}"#]
        let url = dir.appendingPathComponent("metrics.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        let curves = try LossPlot.read(metrics: url)
        #expect(curves.validation.map(\.seconds) == [0, 4])
        #expect(curves.train.map(\.seconds) == [1.5, 4])
        let svg = LossPlot.svg(runs: [("muon", curves.validation), ("adamw", curves.validation)], against: .seconds, title: "t")
        #expect(svg.contains(">muon<") && svg.contains(">adamw<") && svg.contains("training seconds"))
    }

    static let golden = """
        <svg xmlns="http://www.w3.org/2000/svg" width="800" height="480" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="400.0" y="22" text-anchor="middle" font-size="15">loss: gpt-tiny</text>
        <line x1="70.0" y1="430.0" x2="780.0" y2="430.0" stroke="black"/>
        <line x1="70.0" y1="40.0" x2="70.0" y2="430.0" stroke="black"/>
        <text x="425.0" y="468.0" text-anchor="middle">tokens seen</text>
        <text x="16" y="235.0" text-anchor="middle" transform="rotate(-90 16 235.0)">loss</text>
        <text x="64.0" y="434.0" text-anchor="end">4.90</text>
        <line x1="70.0" y1="430.0" x2="780.0" y2="430.0" stroke="#ddd"/>
        <text x="70.0" y="448.0" text-anchor="middle">0</text>
        <text x="64.0" y="336.5" text-anchor="end">5.24</text>
        <line x1="70.0" y1="332.5" x2="780.0" y2="332.5" stroke="#ddd"/>
        <text x="247.5" y="448.0" text-anchor="middle">512</text>
        <text x="64.0" y="239.0" text-anchor="end">5.58</text>
        <line x1="70.0" y1="235.0" x2="780.0" y2="235.0" stroke="#ddd"/>
        <text x="425.0" y="448.0" text-anchor="middle">1k</text>
        <text x="64.0" y="141.5" text-anchor="end">5.91</text>
        <line x1="70.0" y1="137.5" x2="780.0" y2="137.5" stroke="#ddd"/>
        <text x="602.5" y="448.0" text-anchor="middle">2k</text>
        <text x="64.0" y="44.0" text-anchor="end">6.25</text>
        <line x1="70.0" y1="40.0" x2="780.0" y2="40.0" stroke="#ddd"/>
        <text x="780.0" y="448.0" text-anchor="middle">2k</text>
        <path d="M247.5,40.0 L425.0,256.7 L602.5,184.4 L780.0,430.0" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
        <path d="M425.0,227.8 L780.0,372.2" fill="none" stroke="#d62728" stroke-width="2"/>
        <circle cx="425.0" cy="227.8" r="3" fill="#d62728"/>
        <circle cx="780.0" cy="372.2" r="3" fill="#d62728"/>
        <rect x="630.0" y="45.0" width="140" height="44" fill="white" stroke="#999"/>
        <line x1="640.0" y1="60.0" x2="665.0" y2="60.0" stroke="#1f77b4" stroke-width="2"/>
        <text x="672.0" y="64.0">train loss</text>
        <line x1="640.0" y1="78.0" x2="665.0" y2="78.0" stroke="#d62728" stroke-width="2"/>
        <text x="672.0" y="82.0">validation loss</text>
        </svg>

        """
}
