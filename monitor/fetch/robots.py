"""robots.txt as RFC 9309 reads it: groups by user agent, ``*`` and ``$`` in paths, longest match wins.

The standard library's parser ignores wildcards, so it would let a crawler into
``/*mobile=yes*`` on every Discuz! forum; this one does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class _Rule:
    allow: bool
    path: str
    pattern: re.Pattern[str]


@dataclass
class RobotsTxt:
    """Parsed rules; ``allows(user_agent, url)`` answers for one URL."""

    groups: dict[str, list[_Rule]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> RobotsTxt:
        robots = cls()
        agents: list[str] = []
        in_rules = False
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            key = key.lower()
            if key == "user-agent":
                if in_rules:
                    agents, in_rules = [], False
                agents.append(value.lower())
                for agent in agents:
                    robots.groups.setdefault(agent, [])
            elif key in ("allow", "disallow") and agents:
                in_rules = True
                if key == "disallow" and not value:
                    continue  # "Disallow:" with no path allows everything
                rule = _Rule(allow=key == "allow", path=value, pattern=_compile(value))
                for agent in agents:
                    robots.groups[agent].append(rule)
        return robots

    @classmethod
    def disallow_all(cls) -> RobotsTxt:
        return cls.parse("User-agent: *\nDisallow: /")

    def allows(self, user_agent: str, url: str) -> bool:
        rules = self._rules_for(user_agent)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        best: _Rule | None = None
        for rule in rules:
            if rule.pattern.match(target) and (
                best is None
                or len(rule.path) > len(best.path)
                or (len(rule.path) == len(best.path) and rule.allow)
            ):
                best = rule
        return best is None or best.allow

    def _rules_for(self, user_agent: str) -> list[_Rule]:
        product = user_agent.split("/", 1)[0].strip().lower()
        for agent, rules in self.groups.items():
            if agent != "*" and agent and agent in product:
                return rules
        return self.groups.get("*", [])


def _compile(path: str) -> re.Pattern[str]:
    anchored = path.endswith("$")
    body = path[:-1] if anchored else path
    regex = "".join(".*" if char == "*" else re.escape(char) for char in body)
    return re.compile(regex + ("$" if anchored else ""))
