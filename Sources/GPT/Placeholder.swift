public enum GPTPlaceholder {}
