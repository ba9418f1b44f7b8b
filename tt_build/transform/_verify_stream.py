"""VerifyTTIR's checks of circular-buffer capacity and of streamed output CBs (``stream`` in ``tt.cb.*``).

* every ``cb_reserve_back`` / ``cb_wait_front`` asks for at most the pages its CB holds (``depth_pages``):
  more can never become available, the kernel would hang (→ LowerCBIntrinsics / InsertDSTManagementTT);
* a streamed CB (``stream`` [rt, ct]): its sub-blocks are runs of the block's row-major tiles (part of one
  tile row, or whole rows) that divide the block, and its depth is a whole number of sub-blocks
  (→ LowerSharedToCB); every kernel reserves, pushes, waits for and pops it exactly ``rt·ct`` pages at a
  time: compute pushes sub-block by sub-block (→ InsertDSTManagementTT) and the writer drains it at the same
  granule (→ LowerCBIntrinsics). That producer and consumer move the same pages per persistent iteration is
  VerifyTTIR's general balance check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tt_build.ir import IntImm, PrimFunc
from tt_build.transform._analysis import collect_calls
from tt_build.transform._output_stream import is_row_major_run

__all__ = ["check_cb_requests", "check_stream_cbs"]

_REQUESTS = ("tt.cb_reserve_back", "tt.cb_wait_front")
_MOVES = ("tt.cb_reserve_back", "tt.cb_push_back", "tt.cb_wait_front", "tt.cb_pop_front")


#: ``facts``: VerifyTTIR's view of one device function — ``role``, ``cbs`` (tt.cb.* by buffer name) and
#: ``buffers`` (tt.buffer.* by buffer name).
Facts = dict[str, Any]


def _cbs(facts: Facts) -> dict[str, dict[str, Any]]:
    return {name: v for name, v in facts["cbs"].items() if v["kind"] != "dst"}


def _producer(facts: Facts) -> str:
    return "InsertDSTManagementTT" if facts["role"] == "compute" else "LowerCBIntrinsics"


def check_cb_requests(f: PrimFunc, facts: Facts, add: Callable[[str, str], None]) -> None:
    """No reserve / wait asks for more pages than its CB holds."""
    cbs = _cbs(facts)
    for c in collect_calls(f.body, "tt."):
        if c.op not in _REQUESTS or not isinstance(c.args[1], IntImm):
            continue
        info = cbs.get(c.args[0].name)
        if info is not None and c.args[1].value > info["depth_pages"]:
            add(_producer(facts), f"{f.name}: {c.op[3:]}({c.args[0].name}, {c.args[1].value}) asks for more pages than "
                              f"the CB holds ({info['depth_pages']}); it would wait forever")


def check_stream_cbs(f: PrimFunc, facts: Facts, add: Callable[[str, str], None], *, layout: bool,
                     moves: bool = True) -> None:
    """The streamed CBs' layout (``layout``: once per module) and (``moves``) this kernel's granule on each of
    them."""
    streams = {name: info for name, info in _cbs(facts).items() if info.get("stream") is not None}
    for name, info in streams.items():
        rt, ct = info["stream"]
        sub = rt * ct
        if layout:
            cols = facts["buffers"].get(name, {}).get("tiles", [0, 0])[1]
            if not is_row_major_run(info["stream"], cols) or sub < 1 or info["block_pages"] % sub:
                add("LowerSharedToCB", f"streamed CB {name}: sub-blocks of {rt}x{ct} tiles are not runs of the "
                                       f"block's row-major tiles that divide its {info['block_pages']} pages")
            elif info["depth_pages"] % sub:
                add("LowerSharedToCB", f"streamed CB {name} holds {info['depth_pages']} pages, not a whole number "
                                       f"of its {sub}-page sub-blocks")
    if not streams or not moves:
        return
    for c in collect_calls(f.body, "tt."):
        if c.op not in _MOVES or c.args[0].name not in streams:
            continue
        rt, ct = streams[c.args[0].name]["stream"]
        n = c.args[1].value if isinstance(c.args[1], IntImm) else None
        if n != rt * ct:
            add(_producer(facts), f"{f.name}: {c.op[3:]}({c.args[0].name}, {n}) moves another granule than the CB's "
                              f"stream of {rt}x{ct}-tile sub-blocks ({rt * ct} pages at a time)")
