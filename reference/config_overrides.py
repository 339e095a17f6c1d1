"""`--set section.key=value` as the trainer applies it, for the reference scripts: the value is
read as JSON when it parses (numbers, true/false), else kept as a string."""
import json


def apply_overrides(cfg, overrides):
    """Applies each "section.key=value" of `overrides` to the config dict `cfg`, in order."""
    for item in overrides:
        key, value = item.split("=", 1)
        section, field = key.split(".", 1)
        try:
            cfg.setdefault(section, {})[field] = json.loads(value)
        except json.JSONDecodeError:
            cfg.setdefault(section, {})[field] = value
    return cfg
