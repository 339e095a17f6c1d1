import Foundation

extension MetricsLog {
    /// Prints and records a fine-tuning evaluation after `step` steps (step -1 line: before training):
    /// `{"step": s, "val_loss": …, "val_count": …, "val_accuracy": …}` in metrics.jsonl.
    public func recordFinetuneEvaluation(step: Int, tokens: Int, maxSteps: Int, _ e: FinetuneEvaluation) {
        var json = #"{"step":\#(step - 1),"tokens":\#(tokens),"val_loss":\#(e.loss.isFinite ? "\(e.loss)" : "\"\(e.loss)\""),"val_count":\#(e.count)"#
        var text = String(format: "step %6d/%d | val loss %.4f", step - 1, maxSteps, e.loss)
        if let accuracy = e.accuracy {
            json += #","val_accuracy":\#(accuracy)"#
            text += String(format: " | val accuracy %.4f (majority class %.4f) | %d records", accuracy, e.majorityRate ?? 0, e.count)
        } else {
            text += " | \(e.count) response tokens"
        }
        append(json + "}")
        recordScalars([("val/loss", e.loss)] + (e.accuracy.map { [("val/accuracy", $0)] } ?? []), step: step - 1)
        print(text)
        fflush(nil)
    }
}
