import Foundation

/// y = k · x^p, fitted by least squares on (log x, log y).
public struct PowerLaw: Sendable, Equatable, Codable {
    /// The exponent p.
    public var exponent: Double
    /// The coefficient k.
    public var coefficient: Double

    /// A power law from its exponent and coefficient.
    public init(exponent: Double, coefficient: Double) {
        self.exponent = exponent
        self.coefficient = coefficient
    }

    /// k · x^p.
    public func callAsFunction(_ x: Double) -> Double { coefficient * pow(x, exponent) }

    /// The least-squares line through (log x, log y); nil with fewer than 2 distinct positive x.
    public static func fit(x: [Double], y: [Double]) -> PowerLaw? {
        let pairs = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
        guard Set(pairs.map(\.0)).count >= 2 else { return nil }
        let lx = pairs.map { log($0.0) }, ly = pairs.map { log($0.1) }
        let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
        var sxy = 0.0, sxx = 0.0
        for i in lx.indices {
            sxy += (lx[i] - mx) * (ly[i] - my)
            sxx += (lx[i] - mx) * (lx[i] - mx)
        }
        let slope = sxy / sxx
        return PowerLaw(exponent: slope, coefficient: exp(my - slope * mx))
    }
}
