"""One caller's walk through an IVR menu, as a pure state machine.

The session does no I/O and never reads a clock: the driver feeds it what
happened (a prompt finished, a key, a recognition result, an anger update,
audio time passing, a hang-up), each with its audio time in seconds, and
carries out the :mod:`ivr.menu.commands` it returns. The same inputs always
give the same commands.

Phases: idle -> playing (a prompt) -> listening (after ``prompt_done``; the
no-input timer runs in audio time) -> playing ... -> finished. A key or a
matching phrase during a prompt acts at once (barge-in, with
:class:`StopPlayback`); speech that matches nothing during a prompt is
ignored (it may be the prompt's own echo), a wrong key is not.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr.events import AngerReason, AngerUpdate
from ivr.menu.commands import Command, Hangup, Listen, Play, StopPlayback, Transfer
from ivr.menu.handoff import Handoff, Heard, Outcome, PathStep
from ivr.menu.model import Action, ActionKind, Menu, Node, Option, Prompt
from ivr.menu.reasons import ReasonTexts, load_reason_texts
from ivr.menu.words import UNKNOWN_MARK, best_match, tokens

_IDLE, _PLAYING, _LISTENING, _FINISHED = "idle", "playing", "listening", "finished"
_MAX_ANGER_REASONS_NAMED = 2


class IvrSession:
    def __init__(
        self, menu: Menu, call_id: str, language: str, reasons: ReasonTexts | None = None
    ) -> None:
        if language not in menu.languages:
            known = ", ".join(menu.languages)
            raise ValueError(f"menu {menu.id!r} has no language {language!r} (it has {known})")
        self.menu = menu
        self.call_id = call_id
        self.language = language
        # Reasons and choices are written in the caller's language (the agent reads them).
        self.reasons = reasons or load_reason_texts(language)
        self._phase = _IDLE
        self._node: Node | None = None
        self._stack: list[str] = []  # where ``back`` returns to
        self._deadline_s: float | None = None
        self._node_failures = 0  # at the current node, since it was entered or a choice worked
        self._no_matches_in_a_row = 0
        self._failed_attempts = 0
        self._path: list[PathStep] = []
        self._heard: list[Heard] = []
        self._outcome: Outcome | None = None

    # -- state -------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self._phase == _FINISHED

    @property
    def outcome(self) -> Outcome | None:
        return self._outcome

    @property
    def path(self) -> tuple[PathStep, ...]:
        return tuple(self._path)

    @property
    def heard(self) -> tuple[Heard, ...]:
        return tuple(self._heard)

    @property
    def node(self) -> str | None:
        """The current node's id (``None`` before ``start``)."""
        return self._node.id if self._node else None

    @property
    def listening(self) -> bool:
        return self._phase == _LISTENING

    @property
    def failed_attempts(self) -> int:
        return self._failed_attempts

    # -- inputs ------------------------------------------------------------------------------

    def start(self, at_s: float) -> list[Command]:
        """Play the start node's prompt."""
        if self._phase != _IDLE:
            return []
        return self._enter(self.menu.start, "start", "", at_s)

    def prompt_done(self, at_s: float) -> list[Command]:
        """The prompt finished playing: listen, and start the no-input timer."""
        if self._phase != _PLAYING or self._node is None:
            return []
        node = self._node
        self._phase = _LISTENING
        self._deadline_s = at_s + node.timeout_s
        phrases = self.menu.listen_phrases(node.id, self.language)
        return [Listen(node.id, phrases, node.timeout_s)]

    def on_digit(self, digit: str, at_s: float) -> list[Command]:
        """A keypad digit (0-9, * or #); acts at once, also during a prompt."""
        if self._phase not in (_PLAYING, _LISTENING) or self._node is None:
            return []
        barge = self._barge_in()
        if digit and digit == self.menu.operator.digit:
            return barge + self._to_operator(self.reasons.say("digit", digit=digit), at_s)
        for option in self._node.options:
            if option.digit and option.digit == digit:
                return barge + self._choose(option, "digit", digit, at_s)
        return barge + self._failure("no_match", at_s)

    def on_speech(self, text: str, at_s: float, conf: float = 1.0) -> list[Command]:
        """A final recognition result (``[unk]`` marks words outside the phrases)."""
        if self._phase not in (_PLAYING, _LISTENING) or self._node is None:
            return []
        words = tokens(text)
        if not words and UNKNOWN_MARK not in text:
            return []  # an empty result: nothing was said
        self._heard.append(Heard(" ".join(text.split()), at_s, self._node.id, conf))
        found = None
        if conf >= self.menu.min_conf:
            candidates: list[tuple[str, Option | None]] = [
                (phrase, option)
                for option in self._node.options
                for phrase in option.phrases(self.language)
            ]
            candidates += [(p, None) for p in self.menu.operator.phrases(self.language)]
            found = best_match(words, candidates)
        if found is None:
            if self._phase == _PLAYING:
                return []
            return self._failure("no_match", at_s)
        phrase, option = found
        barge = self._barge_in()
        if option is None:
            return barge + self._to_operator(self.reasons.say("phrase", phrase=phrase), at_s)
        return barge + self._choose(option, "speech", phrase, at_s)

    def on_anger(self, update: AngerUpdate) -> list[Command]:
        """A tense or angry caller (as configured in ``[routing]``) goes straight to a person."""
        routing = self.menu.routing
        if (
            self.finished
            or update.call_id != self.call_id
            or not routing.fast_track
            or str(update.level) not in routing.anger_levels
        ):
            return []
        reasons = tuple(sorted(update.reasons, key=lambda r: (-r.weight, r.kind, r.text)))
        named = reasons[:_MAX_ANGER_REASONS_NAMED]
        say = self.reasons.say
        why = "; ".join(r.text for r in named) or say("anger_score", score=f"{update.score:.2f}")
        reason = say("anger", level=self.reasons.level(str(update.level)), why=why)
        return self._barge_in() + self._fast_track(reason, update.at_s, reasons)

    def on_time(self, at_s: float) -> list[Command]:
        """Audio time advanced to ``at_s``: fires the no-input timeout."""
        if self._phase == _LISTENING and self._deadline_s is not None and at_s >= self._deadline_s:
            return self._failure("no_input", at_s)
        return []

    def on_hangup(self, at_s: float) -> list[Command]:
        """The caller hung up; nothing is left to do."""
        if not self.finished:
            reason = self.reasons.say("caller_hangup")
            self._end(Outcome("caller_hangup", self.node or "", at_s, reason))
        return []

    # -- moves -------------------------------------------------------------------------------

    def _barge_in(self) -> list[Command]:
        return [StopPlayback(self.node or "")] if self._phase == _PLAYING else []

    def _play(self, prompt: Prompt, purpose: str) -> Play:
        self._phase = _PLAYING
        self._deadline_s = None
        return Play(self.node or "", prompt, purpose)  # type: ignore[arg-type]

    def _enter(self, node_id: str, how: str, said: str, at_s: float) -> list[Command]:
        node = self.menu.node(node_id)
        self._node = node
        self._node_failures = 0
        self._path.append(PathStep(node.id, node.title(self.language), how, said, at_s))
        return [self._play(node.prompts[self.language], "prompt")]

    def _choose(self, option: Option, how: str, said: str, at_s: float) -> list[Command]:
        assert self._node is not None
        node = self._node
        self._no_matches_in_a_row = 0
        self._node_failures = 0
        action = option.action
        say = self.reasons.say
        choice = say("digit", digit=said) if how == "digit" else say("phrase", phrase=said)
        match action.kind:
            case ActionKind.MENU:
                if action.target in self._stack:
                    del self._stack[self._stack.index(action.target) :]
                elif action.target != node.id:
                    self._stack.append(node.id)
                return self._enter(action.target, how, said, at_s)
            case ActionKind.BACK if self._stack:
                return self._enter(self._stack.pop(), how, said, at_s)
            case ActionKind.REPEAT | ActionKind.BACK:
                return [self._play(node.prompts[self.language], "prompt")]
            case _:
                where = node.title(self.language)
                return self._finish(action, say("chose", choice=choice, node=where), choice, at_s)

    def _failure(self, kind: str, at_s: float) -> list[Command]:
        assert self._node is not None
        node = self._node
        self._failed_attempts += 1
        self._node_failures += 1
        if kind == "no_match":
            self._no_matches_in_a_row += 1
        routing = self.menu.routing
        in_a_row = self._no_matches_in_a_row
        if (
            routing.fast_track
            and routing.no_matches_in_a_row
            and (in_a_row >= routing.no_matches_in_a_row)
        ):
            return self._fast_track(self.reasons.say("failed_in_a_row", count=in_a_row), at_s)
        if self._node_failures > node.retries:
            say = self.reasons.say
            what = say("no_input") if kind == "no_input" else say("not_understood")
            where = node.title(self.language)
            reason = say("failed_at_node", count=self._node_failures, node=where, what=what)
            return self._finish(self.menu.fallback, reason, "", at_s)
        prompts = node.no_input if kind == "no_input" else node.no_match
        return [self._play(prompts[self.language], kind)]

    def _finish(self, action: Action, reason: str, choice: str, at_s: float) -> list[Command]:
        """Carry out an action that leaves the node: queue, transfer, hangup, or a
        fallback into another node."""
        language = self.language
        if action.kind is ActionKind.MENU:
            self._no_matches_in_a_row = 0
            return self._enter(action.target, "fallback", "", at_s)
        if action.kind is ActionKind.HANGUP:
            node = self.node or ""
            prompt = action.prompts.get(language) or self.menu.goodbye_prompts.get(language)
            commands: list[Command] = [Play(node, prompt, "goodbye")] if prompt else []
            self._end(Outcome("hangup", node, at_s, reason))
            return [*commands, Hangup(reason, node)]
        prompt = action.prompts.get(language) or self.menu.transfer_prompts.get(language)
        if action.kind is ActionKind.QUEUE:
            destination, priority, kind = action.queue, action.priority, "queue"
        else:
            destination, priority, kind = action.target, 0, "transfer"
        return self._transfer(destination, priority, kind, reason, choice, prompt, at_s)

    def _to_operator(self, choice: str, at_s: float) -> list[Command]:
        operator = self.menu.operator
        prompt = operator.prompts.get(self.language) or self.menu.transfer_prompts.get(
            self.language
        )
        reason = self.reasons.say("operator")
        return self._transfer(
            operator.queue, operator.priority, "queue", reason, choice, prompt, at_s
        )

    def _fast_track(
        self, reason: str, at_s: float, anger: Sequence[AngerReason] = ()
    ) -> list[Command]:
        routing = self.menu.routing
        prompt = routing.prompts.get(self.language) or self.menu.transfer_prompts.get(self.language)
        return self._transfer(
            routing.queue, routing.priority, "queue", reason, "", prompt, at_s, True, anger
        )

    def _transfer(
        self,
        destination: str,
        priority: int,
        kind: str,
        reason: str,
        choice: str,
        prompt: Prompt | None,
        at_s: float,
        fast_tracked: bool = False,
        anger: Sequence[AngerReason] = (),
    ) -> list[Command]:
        node = self.node or ""
        handoff = Handoff(
            menu_id=self.menu.id,
            language=self.language,
            node=node,
            path=self.path,
            heard=self.heard,
            failed_attempts=self._failed_attempts,
            fast_tracked=fast_tracked,
            reason=reason,
            choice=choice,
            anger=tuple(anger),
        )
        commands: list[Command] = [Play(node, prompt, "transfer")] if prompt else []
        self._end(Outcome(kind, node, at_s, reason, destination, priority, fast_tracked))
        transfer = Transfer(destination, priority, fast_tracked, reason, handoff, kind)  # type: ignore[arg-type]
        return [*commands, transfer]

    def _end(self, outcome: Outcome) -> None:
        self._phase = _FINISHED
        self._deadline_s = None
        self._outcome = outcome
