// A Float as two Int64 limbs of one fixed-point number, so that sums of Floats are integer sums:
// exact, hence independent of order and of how terms are spread over ranks. MPI's Int64 sum adds
// each limb separately and never carries between them, so a value is hi·2⁵⁰ + lo (both signed,
// in units of 2⁻⁸⁰) and carries are resolved once, when the total is decoded.
//
// Range and precision (docs/ARCHITECTURE.md, "Exact gradient sums"):
// - a term encodes exactly when it is a multiple of 2⁻⁸⁰: every Float with |g| ≥ 2⁻⁵⁷ is one
//   (its last mantissa bit is worth ≥ 2⁻⁸⁰); smaller ones round to the nearest multiple;
// - a term must have |g| < 2¹⁹ and be finite, else it is counted as out of range (and adds 0);
// - each limb of a term is at most 2⁴⁹ in magnitude, so up to `FloatFixedPoint.maxTerms` = 2¹³
//   terms per element sum without overflow (|Σ| ≤ 2⁶²);
// - the decoded total is the exact sum of the encoded terms rounded once to the nearest Float.

/// Constants and the per-element encode/decode of the two-limb fixed point.
public enum FloatFixedPoint {
    /// Bits of the low limb: hi counts units of 2⁵⁰ of the low limb's units.
    static let limbBits = 50
    /// The low limb's unit is 2⁻⁸⁰.
    static let fractionBits = 80
    /// Terms per element that may be summed (over every micro-batch of every rank) without overflow.
    public static let maxTerms = 1 << 13
    /// Terms at least this large in magnitude (or not finite) are out of range.
    public static let limit: Float = 0x1p19

    /// 1.5·2⁵²: adding it to a Double of magnitude < 2⁵¹ rounds it to an integer (ties to even)
    /// held in the low mantissa bits, so bit patterns minus this one's are that integer, with no
    /// Double → Int64 conversion (which AVX2 lacks in vector form).
    @usableFromInline static let magic: Double = 0x1.8p52
    @usableFromInline static let magicBits = Int64(bitPattern: magic.bitPattern)

    /// Adds the encoding of `count` Floats to the limb pairs at `limbs` (2 per element); returns
    /// how many were out of range (those add nothing).
    @inline(__always)
    static func add(_ values: UnsafePointer<Float>, count: Int, into limbs: UnsafeMutablePointer<Int64>) -> Int {
        encode(UnsafeMutablePointer(mutating: values), count: count, into: limbs, replacing: false, clearing: false)
    }

    /// Adds (or, `replacing`, writes) the encoding of `count` Floats into the limb pairs at
    /// `limbs`; with `clearing`, sets each Float to zero once read (one pass where a gradient
    /// leaves its buffer). Returns how many were out of range (those add, or write, zero).
    @inline(__always)
    static func encode(_ values: UnsafeMutablePointer<Float>, count: Int, into limbs: UnsafeMutablePointer<Int64>,
                       replacing: Bool, clearing: Bool) -> Int {
        var bad = 0
        for i in 0..<count {
            let g = Double(values[i])
            if clearing { values[i] = 0 }
            let ok = g.magnitude < 0x1p19  // false for NaN
            let y = (ok ? g : 0) * 0x1p30  // |y| < 2⁴⁹: units of 2⁻³⁰, the high limb's unit
            let hiBiased = y + magic
            let hi = Int64(bitPattern: hiBiased.bitPattern) &- magicBits
            let rest = (y - (hiBiased - magic)) * 0x1p50  // exact: |y − round(y)| ≤ ½, in units of 2⁻⁸⁰
            let lo = Int64(bitPattern: (rest + magic).bitPattern) &- magicBits
            if replacing {
                limbs[2 * i] = hi
                limbs[2 * i + 1] = lo
            } else {
                limbs[2 * i] &+= hi
                limbs[2 * i + 1] &+= lo
            }
            bad &+= ok ? 0 : 1
        }
        return bad
    }

    /// `decode(hi:lo:)` of `count` limb pairs into `out`, in blocks of 64 through a branch-free
    /// form that vectorizes. It holds where a total's high part is below 2⁵¹ in magnitude (any
    /// total below 2²¹); a block with a larger one is decoded again by `decode(hi:lo:)`. The bits
    /// are the same either way (the same sum, TwoSum and round-to-odd, with the integer steps
    /// done by bit tricks that AVX2 has in vector form).
    public static func decode(_ limbs: UnsafePointer<Int64>, count: Int, into out: UnsafeMutablePointer<Float>) {
        var first = 0
        while first < count {
            let n = min(64, count - first), l = limbs + 2 * first, o = out + first
            var wide: UInt64 = 0
            for i in 0..<n {
                let hi = l[2 * i], lo = l[2 * i + 1]
                // lo >> 50 (arithmetic) by a logical shift of lo + 2⁶², as |lo| ≤ 2⁶².
                let carry = Int64(bitPattern: (UInt64(bitPattern: lo) &+ (1 << 62)) >> 50) &- (1 << 12)
                let low = lo &- (carry << 50), high = hi &+ carry
                wide |= UInt64(bitPattern: high &+ (1 << 51)) >> 52  // nonzero unless −2⁵¹ ≤ high < 2⁵¹
                // Integers below 2⁵¹ in magnitude to Double: their bits added to magic's, minus magic.
                let h = Double(bitPattern: UInt64(bitPattern: high &+ magicBits)) - magic
                let tail = (Double(bitPattern: UInt64(bitPattern: low &+ magicBits)) - magic) * 0x1p-50
                let s = h + tail
                let err = (h - (s - (s - h))) + (tail - (s - h))
                // Round to odd: an inexact s with an even last bit moves one unit toward the exact
                // value (s ≠ 0 then): away from zero when err has s's sign.
                let bits = s.bitPattern
                let moved = (err > 0) == (s > 0) ? bits &+ 1 : bits &- 1
                let odd = err != 0 && bits & 1 == 0 ? Double(bitPattern: moved) : s
                o[i] = Float(odd * 0x1p-30)
            }
            if wide != 0 {
                for i in 0..<n { o[i] = decode(hi: l[2 * i], lo: l[2 * i + 1]) }
            }
            first += n
        }
    }

    /// The Float nearest to hi·2⁻³⁰ + lo·2⁻⁸⁰ (a total of at most `maxTerms` encoded terms).
    @inline(__always)
    public static func decode(hi: Int64, lo: Int64) -> Float {
        // Resolve the carry: lo into [0, 2⁵⁰), hi takes the rest.
        let carry = lo >> 50
        let low = lo &- (carry << 50), high = hi &+ carry
        // value·2³⁰ = high + low·2⁻⁵⁰. Round it to odd at Double precision, then to nearest Float:
        // with 53 ≥ 24 + 2 bits that double rounding gives the correctly rounded Float.
        let h = Double(high)  // exact below 2⁵³; else the part lost is an integer e
        let e = high &- Int64(h)
        // Where e ≠ 0, |value·2³⁰| > 2⁵², so Doubles there are integers apart and only whether a
        // fraction is left matters: ½ stands for any.
        let tail = e == 0 ? Double(low) * 0x1p-50 : Double(e) + (low != 0 ? 0.5 : 0)
        let s = h + tail
        let err = (h - (s - (s - h))) + (tail - (s - h))  // TwoSum: s + err == h + tail exactly
        var odd = s
        if err != 0, s.bitPattern & 1 == 0 { odd = err > 0 ? s.nextUp : s.nextDown }
        return Float(odd * 0x1p-30)
    }
}
