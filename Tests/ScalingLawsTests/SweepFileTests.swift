import Foundation
import Testing
import ScalingLaws

/// Decoding and validation of sweep files: every problem is one line naming the field.
@Suite struct SweepFileTests {
    static let valid = """
    {"base": "configs/gpt-tiny.json", "dir": "checkpoints/sweep-test", "head_size": 16,
     "shapes": [{"depth": 1, "width": 32}, {"depth": 2, "width": 48}, {"depth": 2, "width": 64, "heads": 2}],
     "tokens": [10240, 20480], "held_out": {"depth": 3, "width": 96, "tokens": 40960}}
    """

    private func decode(_ json: String) throws(SweepFileError) -> SweepSpec {
        try SweepFile.decode(Data(json.utf8), source: "sweep.json")
    }

    /// The error for `json`, which must be a single line naming the file.
    private func error(_ json: String) -> String {
        do {
            _ = try decode(json)
            return "no error"
        } catch {
            #expect(!error.description.contains("\n"))
            #expect(error.description.hasPrefix("sweep.json: "))
            return error.description
        }
    }

    /// `valid` with `key` replaced (or added) at the top level.
    private func with(_ key: String, _ value: String) -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(Self.valid.utf8)) as! [String: Any]
        object[key] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func validFileDecodesWithDefaults() throws {
        let spec = try decode(Self.valid)
        #expect(spec.shapes.count == 3 && spec.heads(of: spec.shapes[0]) == 2 && spec.heads(of: spec.shapes[2]) == 2)
        #expect(spec.budgets == .tokens([10240, 20480]))
        #expect(spec.warmupFraction == 0.05 && spec.bootstrap == 200 && spec.seed == 0 && spec.confidence == 0.95 && spec.set.isEmpty)
    }

    @Test func unknownKeysAreRefusedAtEveryLevel() {
        #expect(error(with("shapez", "[]")).contains("unknown key `shapez`"))
        #expect(error(Self.valid.replacingOccurrences(of: #""width": 48"#, with: #""widht": 48"#)).contains("unknown key `shapes[1].widht`"))
        #expect(error(with("held_out", #"{"depth": 3, "width": 96, "tokens": 1e5, "size": 1}"#)).contains("unknown key `held_out.size`"))
    }

    @Test func emptyOrTooSmallGridsAreRefused() {
        #expect(error(with("shapes", "[]")).contains("`shapes` has 0 shape(s)"))
        #expect(error(with("tokens", "[]")).contains("`tokens` is empty"))
        #expect(error(with("tokens", "[1e4]")).contains("`tokens` has 1 budget"))
        #expect(error(with("shapes", #"[{"depth": 1, "width": 32}, {"depth": 2, "width": 32}]"#)).contains("the grid has 4 cells"))
    }

    @Test func widthsMustDivideIntoHeads() {
        let explicit = error(with("shapes", #"[{"depth": 1, "width": 32}, {"depth": 2, "width": 50, "heads": 3}, {"depth": 3, "width": 64}]"#))
        #expect(explicit.contains("`shapes[1]`: width 50 is not divisible by its 3 heads"))
        let derived = error(with("shapes", #"[{"depth": 1, "width": 32}, {"depth": 2, "width": 40}, {"depth": 3, "width": 64}]"#))
        #expect(derived.contains("`shapes[1]`: width 40 is not divisible by head_size 16"))
        #expect(error(with("held_out", #"{"depth": 3, "width": 100, "tokens": 1e5}"#)).contains("`held_out`: width 100"))
    }

    @Test func budgetsAndSettingsAreChecked() {
        #expect(error(with("flops", "[1e12, 2e12]")).contains("either `tokens` or `flops`"))
        #expect(error(with("tokens", "[1e4, -5]")).contains("`tokens[1]` is -5.0"))
        #expect(error(with("tokens", "[1e4, 1e4]")).contains("`tokens[1]` repeats"))
        #expect(error(with("held_out", #"{"depth": 3, "width": 96, "flops": 1e12}"#)).contains("`held_out` must give `tokens`"))
        #expect(error(with("warmup_fraction", "1")).contains("`warmup_fraction`"))
        #expect(error(with("bootstrap", "5")).contains("`bootstrap` is 5"))
        #expect(error(with("confidence", "1.5")).contains("`confidence`"))
        #expect(error(with("head_size", "0")).contains("`head_size`"))
        #expect(error(with("shapes", #"[{"depth": 1, "width": 32}, {"depth": 1, "width": 32}, {"depth": 2, "width": 64}]"#)).contains("`shapes[1]` repeats"))
    }

    /// Numbers that size an allocation or a loop are bounded before any cell trains (issue 28, item 1).
    @Test func sizesOfLoopsAndAllocationsAreBounded() {
        let huge = error(with("bootstrap", "1000000000"))
        #expect(huge.contains("`bootstrap` is 1000000000") && huge.contains("10 to 10000"))
        #expect(error(with("bootstrap", "-3")).contains("`bootstrap` is -3"))
        #expect(error(with("bootstrap", "10000")) == "no error")
        #expect(error(with("tokens", "[1e4, 1e300]")).contains("`tokens[1]` is 1e+300"))
        #expect(error(with("head_size", "1000000000")).contains("`head_size` is 1000000000"))
        let deep = #"[{"depth": 1, "width": 32}, {"depth": 100000000, "width": 32}, {"depth": 2, "width": 64}]"#
        #expect(error(with("shapes", deep)).contains("`shapes[1].depth` is 100000000; it must be 1 to 1024"))
        let wide = #"[{"depth": 1, "width": 32}, {"depth": 2, "width": 4294967296}, {"depth": 2, "width": 64}]"#
        #expect(error(with("shapes", wide)).contains("`shapes[1].width` is 4294967296"))
        let many = "[" + (1...101).map { "\($0 * 10000)" }.joined(separator: ", ") + "]"
        #expect(error(with("tokens", many)).contains("`tokens` has 101 budgets; list at most 100"))
        #expect(error(with("held_out", #"{"depth": 3, "width": 96, "tokens": 1e19}"#)).contains("`held_out.tokens`"))
    }

    @Test func typeAndSyntaxErrorsNameTheField() {
        #expect(error(with("shapes", #"[{"depth": 1, "width": 32}, {"depth": "two", "width": 48}]"#)).contains("`shapes[1].depth` has the wrong type; expected a whole number"))
        #expect(error(with("tokens", #""many""#)).contains("`tokens` has the wrong type"))
        #expect(error(#"{"base": "x", "dir": "y", "shapes": [], "tokens": [1, 2]"#).contains("malformed JSON"))
        #expect(error(#"{"dir": "y", "shapes": [], "tokens": [1, 2]}"#).contains("missing `base`"))
        #expect(error("[1]").contains("top level must be a JSON object"))
    }

    @Test func missingFileIsOneLine() {
        #expect(throws: SweepFileError.self) { try SweepFile.load(path: "/nonexistent/sweep.json") }
    }

    @Test func bundledSweepFilesAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["sweep-tiny.json", "sweep-shakespeare.json"] {
            _ = try SweepFile.load(path: root.appendingPathComponent("configs/\(name)").path)
        }
    }
}
