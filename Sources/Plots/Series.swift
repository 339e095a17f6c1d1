/// One named set of points drawn as a line, as markers, or both.
public struct Series: Sendable {
    /// A point in data coordinates.
    public struct Point: Sendable, Equatable {
        /// Horizontal value.
        public var x: Double
        /// Vertical value.
        public var y: Double
        /// A point at (x, y).
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// The legend entry.
    public var name: String
    /// The points, drawn in this order.
    public var points: [Point]
    /// An SVG colour, e.g. `#1f77b4`.
    public var color: String
    /// Stroke width of the line through the points; nil draws no line.
    public var lineWidth: Double?
    /// Radius of a dot at each point; nil draws none.
    public var markerRadius: Double?
    /// Draws the line dashed.
    public var dashed: Bool
    /// Lists the series in the legend.
    public var inLegend: Bool

    /// A series; by default a 1.5-wide solid line without markers, listed in the legend.
    public init(name: String, points: [Point], color: String, lineWidth: Double? = 1.5, markerRadius: Double? = nil,
                dashed: Bool = false, inLegend: Bool = true) {
        self.name = name
        self.points = points
        self.color = color
        self.lineWidth = lineWidth
        self.markerRadius = markerRadius
        self.dashed = dashed
        self.inLegend = inLegend
    }

    /// Matplotlib's ten default colours ("tab10"), for series that need distinct colours.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
}
