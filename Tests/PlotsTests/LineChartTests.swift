import Foundation
import Testing
import Plots

/// The generic chart: axes, ticks, series styles and legend, checked on the SVG it writes.
@Suite struct LineChartTests {
    private func chart(_ series: [Series], x: Axis = Axis(label: "x"), y: Axis = Axis(label: "y")) -> String {
        LineChart(title: "t", x: x, y: y, series: series).svg()
    }

    private func count(_ needle: String, in haystack: String) -> Int { haystack.components(separatedBy: needle).count - 1 }

    @Test func logAxisTicksArePowersOfTenWhenTheRangeSpansEnough() {
        let axis = Axis(label: "C", scale: .log)
        #expect(axis.ticks(1e12...3e15) == [1e12, 1e13, 1e14, 1e15])
        // Less than two decades: 2× and 5× fill in.
        #expect(axis.ticks(1.5e5...4e6) == [2e5, 5e5, 1e6, 2e6])
    }

    @Test func logPositionsAreEvenPerDecade() {
        let axis = Axis(label: "N", scale: .log)
        #expect(abs(axis.offset(1e3, in: 1e2...1e4, length: 100) - 50) < 1e-9)
        #expect(abs(axis.offsetFromEnd(1e3, in: 1e2...1e4, length: 100) - 50) < 1e-9)
        #expect(abs(axis.offset(1e4, in: 1e2...1e4, length: 100) - 100) < 1e-9)
    }

    @Test func automaticLogRangeCoversTheDataWithAMargin() {
        let range = Axis(label: "N", scale: .log).resolvedRange([1e6, 1e8, -3, 0])
        #expect(range.lowerBound < 1e6 && range.lowerBound > 1e5)
        #expect(range.upperBound > 1e8 && range.upperBound < 1e9)
    }

    @Test func pointsALogAxisCannotShowAreLeftOut() {
        let svg = chart([Series(name: "s", points: [.init(x: 0, y: 1), .init(x: 10, y: 2), .init(x: 100, y: .nan)], color: "#000", markerRadius: 2)],
                        x: Axis(label: "x", scale: .log))
        #expect(count("<circle", in: svg) == 1)  // (10, 2) only; the legend shows the line
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test func seriesStylesAndLegend() {
        let svg = chart([
            Series(name: "line", points: [.init(x: 1, y: 1), .init(x: 2, y: 2)], color: "#111"),
            Series(name: "dots", points: [.init(x: 1, y: 2)], color: "#222", lineWidth: nil, markerRadius: 3),
            Series(name: "fit", points: [.init(x: 1, y: 1.5), .init(x: 2, y: 1.5)], color: "#333", dashed: true),
            Series(name: "hidden", points: [.init(x: 1.5, y: 1)], color: "#444", inLegend: false),
        ])
        #expect(count("<path", in: svg) == 3)
        #expect(count("stroke-dasharray", in: svg) == 2)  // the dashed path and its legend line
        #expect(svg.contains(">line</text>") && svg.contains(">dots</text>") && svg.contains(">fit</text>"))
        #expect(!svg.contains("hidden"))
        #expect(svg.contains("height=\"\(8 + 18 * 3)\""))
        #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>\n"))
    }

    @Test func legendWidensForLongNames() {
        let name = String(repeating: "w", count: 40)
        let svg = chart([Series(name: name, points: [.init(x: 1, y: 1)], color: "#000")])
        #expect(svg.contains("width=\"\(44 + 6 * 40)\""))
    }

    @Test func legendOutsideWidensTheImageInsteadOfCoveringThePlot() {
        var chart = LineChart(title: "t", x: Axis(label: "x"), y: Axis(label: "y"),
                              series: [Series(name: "s", points: [.init(x: 1, y: 1), .init(x: 2, y: 2)], color: "#000")])
        #expect(chart.svg().contains("width=\"800\"") && chart.svg().contains("<rect x=\"630.0\""))
        chart.legend = .outsideRight
        #expect(chart.svg().contains("width=\"\(800 + 140 + 25)\"") && chart.svg().contains("<rect x=\"795.0\""))
    }

    @Test func textIsEscaped() {
        let svg = LineChart(title: "a<b & c>d", x: Axis(label: "x<"), y: Axis(label: "y&"),
                            series: [Series(name: "<s>", points: [], color: "#000")]).svg()
        #expect(svg.contains("a&lt;b &amp; c&gt;d") && svg.contains("x&lt;") && svg.contains("y&amp;") && svg.contains("&lt;s&gt;"))
    }

    @Test func tickLabelFormats() {
        #expect(Axis.compact(2.5e9) == "2.5B" && Axis.compact(1.25e6) == "1.2M" && Axis.compact(8192) == "8k" && Axis.compact(12) == "12")
        #expect(Axis.scientific(3e14) == "3e+14")
        #expect(Axis.fixed(2)(3.14159) == "3.14")
        #expect(Axis.significant(2)(-0.000771) == "-0.00077" && Axis.significant(2)(0) == "0")
    }
}
