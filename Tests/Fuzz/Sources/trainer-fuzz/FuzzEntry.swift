import CLibFuzzer
import Foundation
import FuzzTargets

/// The parser under test, named by TRAINER_FUZZ_TARGET (launch/fuzz.sh sets it).
let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["TRAINER_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTarget(rawValue: name) else {
        fatalError("set TRAINER_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return t
}()

/// A private directory for the files the parsers read (one fuzzing process per directory).
let scratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

/// libFuzzer's entry point: one input per call. A broken invariant or an error of the wrong type
/// traps, which libFuzzer reports as a crash and saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    if case .broken(let why) = target.run(input, scratch: scratch) {
        fatalError("\(target.rawValue): \(why)")
    }
    return 0
}

/// The program's entry point: SwiftPM links executables with `main` aliased to this symbol, so it
/// hands the command line to libFuzzer's driver (which reads options such as -max_total_time).
@_cdecl("trainer_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { bytes, size in fuzzOneInput(bytes, size) }
}
