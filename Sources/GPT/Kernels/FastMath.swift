// Polynomial exp and rational tanh: libm's expf/tanhf are scalar calls that block
// vectorization (tanhf is ~30x slower than this in the GELU loop).

/// exp(x) to about 2 ulp (Cephes expf polynomial), for x in [-87, 88]; inputs are clamped.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let xc = min(max(x, -87.0), 88.0)
    // Round to nearest even by adding and removing 1.5·2²³ (exact for |x| < 2²²): the same
    // result as .rounded(.toNearestOrEven), which compiles to a call to rintf and so kept every
    // loop that uses fastExp (softmax, cross-entropy) from vectorizing.
    let n = (xc * 1.442_695_04 + 12_582_912) - 12_582_912
    // ln 2 split in two so that r = x - n ln2 stays exact in Float.
    let r = xc - n * 0.693_359_375 + n * 2.121_944_4e-4
    var y: Float = 1.987_569_15e-4
    y = y * r + 1.398_199_950_7e-3
    y = y * r + 8.333_451_907_3e-3
    y = y * r + 4.166_579_589_4e-2
    y = y * r + 1.666_666_545_9e-1
    y = y * r + 5.000_000_120_1e-1
    y = y * (r * r) + r + 1
    return y * Float(bitPattern: UInt32(truncatingIfNeeded: Int32(n) + 127) << 23)
}

/// tanh(x) to a few ulp via a 13/6 rational approximation (the one Eigen uses), its two
/// polynomials in fused multiply-adds (Horner steps c + p·x², one rounding each: half the
/// instructions of GELU's arithmetic-bound loops).
@inline(__always)
func fastTanh(_ x: Float) -> Float {
    // Beyond this, tanh rounds to ±1 in Float.
    let xc = min(max(x, -7.905_311_1), 7.905_311_1)
    let x2 = xc * xc
    var p: Float = -2.760_768_477_423_55e-16
    p = Float(2.000_187_904_824_77e-13).addingProduct(p, x2)
    p = Float(-8.604_671_522_137_35e-11).addingProduct(p, x2)
    p = Float(5.122_297_090_371_14e-08).addingProduct(p, x2)
    p = Float(1.485_722_357_179_79e-05).addingProduct(p, x2)
    p = Float(6.372_619_288_754_36e-04).addingProduct(p, x2)
    p = Float(4.893_524_558_917_86e-03).addingProduct(p, x2)
    var q: Float = 1.198_258_394_667_02e-06
    q = Float(1.185_347_056_866_54e-04).addingProduct(q, x2)
    q = Float(2.268_434_632_439_00e-03).addingProduct(q, x2)
    q = Float(4.893_525_185_543_85e-03).addingProduct(q, x2)
    return xc * p / q
}
