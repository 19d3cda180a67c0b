"""exec: run a system command for each message; its output, errors and return code on three
outputs."""

from __future__ import annotations

import asyncio
import errno
import signal
from typing import Any, Literal

from flowrt.api import (
    MISSING,
    AsyncTransform,
    Message,
    NodeConfig,
    NodeError,
    PropertyPath,
    clone,
    field,
    get_property,
)

from .exec_process import CHUNK, STOP_GRACE, Child, as_text, decoded, signal_number, start, words


class Exec(AsyncTransform):
    """Run a system command for each message; its stdout, stderr and return code come out.

    What the command writes to stdout leaves on output 1, what it writes to stderr on output
    2, and its return code on output 3.

    ### Inputs

    - `payload` (or the property `property` names): added to the end of the command, before
      `append`, when `property` is set.
    - `kill`: instead of starting a command, send a signal (`SIGTERM` unless it names another,
      such as `SIGINT`) to the running command, or to the one whose `pid` is `msg.pid`. With
      no `pid` the signal goes only when exactly one command runs.

    ### Outputs

    1. stdout: in `exec` mode one message when the command ends, with `payload` what it wrote
       (text when it is UTF-8, else bytes) and `rc` the return code object below; in `spawn`
       mode one message per block as it is written (at most 64 KiB each).
    2. stderr: the same for what it wrote to stderr (in `exec` mode only when it wrote any).
    3. return code: `payload` is `{code: 0}` on success; when the command fails, `{code,
       message}` (`exec` mode, `message` says `Command failed: ...` and what the command
       wrote to stderr) or `{code}` (`spawn` mode); a command ended by a signal (a timeout, a
       `msg.kill`) has `code: null` and `signal: "SIGTERM"`. With `old_rc` the success of an
       `exec` command sends nothing here, and in `spawn` mode `payload` is the bare code.

    ### Details

    The command runs as the user of the flowrt process, with its rights: it can read and
    write what flowrt can, reach the network and start other programs. So the node is a
    system command under the script policy and runs only under `--scripts allow`; `sandboxed`
    and `deny` refuse the flow before it starts (E060). Give it only to flows whose authors
    may run anything on the host.

    Without `shell` the command line (`command`, then the value of `property`, then `append`)
    is split into words at white space (double quotes keep words together) and run directly:
    the first word is the program, the others its arguments, and no shell reads them, so `;`,
    `|`, `$(...)`, backquotes, `*` or `>` in a message value are passed as plain text. With
    `shell: true` the whole line is run by `/bin/bash -c` (or `sh`) and a message value is
    read by the shell as well: `hello; rm -rf ~` runs both commands. Use it only when the
    command needs pipes or variables and the message values are trusted. Node-RED runs its
    exec mode in a shell, so exec nodes imported in that mode get `shell: true` (and the
    import says so); nodes imported in spawn mode do not.

    Each command runs in a process group of its own, with an empty stdin and the environment
    of the flowrt process. `timeout` kills the whole group (SIGTERM) after that many seconds.
    When the flow stops (a deploy, the end of `flowrt run`) every command still running is
    killed the same way, and with SIGKILL if it has not ended 2 s later: nothing the node
    started is left running. In `exec` mode at most `max_output` bytes of each stream are
    kept; a command that writes more is killed and its return code says
    `stdout maxBuffer length exceeded` (as Node-RED's `maxBuffer`). At most `max_running`
    commands of the node run at once; further messages wait for one to end.

    ```yaml
    nodes:
      disk:
        type: exec
        command: df -h
        property: null
        to: {0: show, 2: show}
      show: {type: debug}
    ```
    """

    type = "exec"
    icon = "terminal"
    outputs = 3
    stability = "beta"
    evaluates = {"command": ("command", "append", "property")}

    class Config(NodeConfig):
        command: str = field(
            min_length=1, pattern=r"\S",
            description="The program to run and its first arguments (`echo`, `df -h`).",
            examples=["echo", "df -h"],
        )
        property: PropertyPath | None = field(
            "payload",
            description="The message property whose value is added after the command "
            "(Node-RED's append msg.payload); null adds nothing.",
        )
        append: str = field("", description="Arguments added at the end of the line.",
                            examples=["-l", "--verbose"])
        mode: Literal["exec", "spawn"] = field(
            "exec",
            description="`exec`: one message per output when the command ends; `spawn`: "
            "stdout and stderr sent as they are written.",
        )
        shell: bool = field(
            False,
            description="Run the line in a shell (pipes, variables, globs); message values "
            "are then read by the shell too. Without it no shell is involved.",
        )
        timeout: float = field(
            0, ge=0, description="Seconds before the command's process group is killed "
            "(SIGTERM); 0 for no limit.", examples=[10],
        )
        old_rc: bool = field(
            False, advanced=True,
            description="Node-RED's old return code: the bare code in spawn mode, nothing on "
            "output 3 when an exec-mode command succeeds.",
        )
        max_output: int = field(
            10_000_000, ge=1, advanced=True,
            description="Most bytes of stdout, and of stderr, kept in exec mode; more kills "
            "the command.",
        )
        max_running: int = field(
            100, ge=1, le=10_000, advanced=True,
            description="Most commands of this node running at once.",
        )

    config: Config

    async def start(self) -> None:
        self._running: dict[int, tuple[Child, asyncio.Task[None]]] = {}
        self._slots = asyncio.Semaphore(self.config.max_running)
        self._stopping = False

    async def receive(self, msg: Message) -> None:
        if "kill" in msg:
            self._kill(msg)
            return
        line = self._line(msg)
        argv = None if self.config.shell else words(line)
        if argv == []:
            raise NodeError(f"the command line is empty: {line!r}")
        await self._slots.acquire()
        try:
            child = await start(line, argv)
        except OSError as exc:
            self._slots.release()
            self._not_started(msg, line, argv, exc)
            return
        self.ctx.hold(msg)
        self.ctx.status("blue", "dot", f"pid:{child.pid}")
        task = asyncio.create_task(self._run(child, msg), name=f"exec:{self.id}:{child.pid}")
        self._running[child.pid] = (child, task)

    def _line(self, msg: Message) -> str:
        line = self.config.command
        if self.config.property is not None:
            value = get_property(msg, self.config.property)
            if value is not MISSING:
                line += " " + as_text(value)
        if self.config.append.strip():
            line += " " + self.config.append
        return line

    def _kill(self, msg: Message) -> None:
        sig = signal_number(msg.get("kill"))
        target: Child | None = None
        if "pid" in msg:
            pid = msg["pid"]
            if isinstance(pid, str) and pid.strip().isdigit():
                pid = int(pid)
            if isinstance(pid, int) and not isinstance(pid, bool) and pid in self._running:
                target = self._running[pid][0]
        elif len(self._running) == 1:
            target = next(iter(self._running.values()))[0]
        if target is not None:
            target.kill(sig)
            self.ctx.status("red", "dot", "killed")

    async def _run(self, child: Child, msg: Message) -> None:
        # The command runs in real time whatever clock the engine runs on (tests simulate
        # time), so its timeout is the event loop's, not ``self.ctx.call_later``.
        timer = None
        if self.config.timeout > 0:
            timer = asyncio.get_running_loop().call_later(self.config.timeout, child.kill)
        failure: BaseException | None = None
        try:
            process = child.process
            assert process.stdout is not None and process.stderr is not None
            await asyncio.gather(self._pump(child, msg, process.stdout, 0),
                                 self._pump(child, msg, process.stderr, 1))
            await process.wait()
            if not self._stopping:
                self._finished(child, msg)
        except Exception as exc:
            failure = exc
        finally:
            if timer is not None:
                timer.cancel()
            self._running.pop(child.pid, None)
            self._slots.release()
        if not self._stopping:  # else the message is given up when the node stops
            self.ctx.done(msg, failure)

    async def _pump(self, child: Child, msg: Message, stream: asyncio.StreamReader,
                    port: int) -> None:
        name = ("stdout", "stderr")[port]
        kept = child.output[name]
        while chunk := await stream.read(CHUNK):
            if self._stopping:
                continue
            if self.config.mode == "spawn":
                out = clone(msg)
                out["payload"] = decoded(chunk)
                self.ctx.send([out if p == port else None for p in range(3)], origin=msg)
                continue
            room = self.config.max_output - len(kept)
            kept += chunk[:room]
            if len(chunk) > room and child.overflow is None:
                child.overflow = name
                child.kill()

    def _finished(self, child: Child, msg: Message) -> None:
        code, sig = child.result()
        if self.config.mode == "spawn":
            rc: Any = code
            if not self.config.old_rc:
                rc = {"code": code, **({"signal": sig} if sig else {})}
            self._status(code)
            out = clone(msg)
            out["payload"] = rc
            self.ctx.send([None, None, out], origin=msg)
            return
        stderr = bytes(child.output["stderr"])
        result: dict[str, Any] | None = None
        if child.overflow is not None:
            result = {"code": "ERR_CHILD_PROCESS_STDIO_MAXBUFFER",
                      "message": f"{child.overflow} maxBuffer length exceeded"}
        elif code != 0:
            result = {"code": code, "message": f"Command failed: {child.line}\n"
                      + stderr.decode("utf-8", "replace")}
        if result is not None and sig:
            result["signal"] = sig
        self._send_exec(msg, bytes(child.output["stdout"]), stderr, result)

    def _send_exec(self, msg: Message, stdout: bytes, stderr: bytes,
                   result: dict[str, Any] | None) -> None:
        """The three messages of exec mode, shaped as Node-RED's."""
        msg.pop("payload", None)
        err = None
        if stderr:
            err = clone(msg)
            err["payload"] = decoded(stderr)
        msg["payload"] = decoded(stdout)
        if result is not None:
            code = result["code"]
            self.ctx.status("red", "dot", "killed" if code is None else f"error:{code}")
        elif not self.config.old_rc:
            result = {"code": 0}
        rc = None
        if result is None:
            self.ctx.status()
        else:
            rc = clone(msg)
            rc["payload"] = result
            msg["rc"] = clone(result)
            if err is not None:
                err["rc"] = clone(result)
        self.ctx.send([msg, err, rc], origin=msg)

    def _not_started(self, msg: Message, line: str, argv: list[str] | None,
                     exc: OSError) -> None:
        """A program that could not be started (not found, not executable): code is the
        negative errno, as Node.js reports it."""
        number = exc.errno or errno.ENOENT
        if self.config.mode == "spawn":
            self._status(-number)
            out = clone(msg)
            out["payload"] = -number if self.config.old_rc else {"code": -number}
            self.ctx.send([None, None, out])
            return
        program = argv[0] if argv else line
        name = errno.errorcode.get(number, str(number))
        self._send_exec(msg, b"", b"", {"code": -number, "message": f"spawn {program} {name}"})

    def _status(self, code: int | None) -> None:
        if code == 0:
            self.ctx.status()
        elif code is None:
            self.ctx.status("red", "dot", "killed")
        else:
            self.ctx.status("red" if code < 0 else "yellow", "dot", f"rc:{code}")

    async def stop(self) -> None:
        """Kill every command still running (its process group), SIGKILL after a grace."""
        self._stopping = True
        running = dict(self._running)
        for child, _ in running.values():
            child.kill(signal.SIGTERM)
        tasks = {task: child for child, task in running.values()}
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
        for task in late:
            tasks[task].kill(signal.SIGKILL)
        if late:
            _, stuck = await asyncio.wait(late, timeout=STOP_GRACE)
            for task in stuck:
                task.cancel()
