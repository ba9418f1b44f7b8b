"""The v5 progressive-lowering pipeline, as a flat ordered list (order matters; see comments)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tt_build.ir import IRModule, PrimFunc
from tt_build.transform.base import Pass, PassContext, Sequential
from tt_build.transform.build_tile_dfg_tt import BuildTileDFGTT
from tt_build.transform.finalize_persistent_signature_tt import FinalizePersistentSignatureTT
from tt_build.transform.grid_to_core_grid import GridToCoreGrid
from tt_build.transform.infer_tt_layout import InferTTLayout
from tt_build.transform.insert_compute_init_tt import InsertComputeInitTT
from tt_build.transform.insert_dst_management_tt import InsertDSTManagementTT
from tt_build.transform.layout_aware_work_partition_tt import LayoutAwareWorkPartitionTT
from tt_build.transform.lower_cb_intrinsics import LowerCBIntrinsics
from tt_build.transform.lower_shared_to_cb import LowerSharedToCB
from tt_build.transform.lower_tt_tile_intrinsics import LowerTTTileIntrinsics
from tt_build.transform.plan_multicast_tt import PlanMulticastTT
from tt_build.transform.propagate_tt_layout import PropagateTTLayout
from tt_build.transform.split_device_kernel import SplitDeviceKernel
from tt_build.transform.verify_ttir import VerifyTTIR

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["PASS_NAMES", "lower", "pipeline"]


def pipeline() -> list[Pass]:
    return [
        InferTTLayout(),
        PropagateTTLayout(),  # needs tensor layouts
        LayoutAwareWorkPartitionTT(),  # needs layouts: sharded tensors force local_shard
        PlanMulticastTT(),  # needs the plain work partition; may replace it by a 2-D multicast one
        GridToCoreGrid(),  # needs the work partition
        LowerSharedToCB(),  # needs on-chip buffer layouts (PropagateTTLayout)
        LowerTTTileIntrinsics(),  # needs CB kinds
        BuildTileDFGTT(),  # needs block-level tile ops
        SplitDeviceKernel(),  # needs the tile DFG's op roles
        LowerCBIntrinsics(),  # per role: needs tt.kernel_role
        InsertDSTManagementTT(),  # needs the CB protocol to place commit/wait before the pack
        InsertComputeInitTT(),  # needs tile calls (after DST expansion)
        FinalizePersistentSignatureTT(),  # last: sees every buffer each kernel touches
        VerifyTTIR(),  # always last, always on
    ]


PASS_NAMES = [p.short_name for p in pipeline()]


def lower(func: PrimFunc, ctx: PassContext | None = None, config: Mapping[str, Any] | None = None) -> IRModule:
    """Run the whole pipeline on one front-end PrimFunc; returns the module of 3 device functions."""
    if ctx is None:
        ctx = PassContext(config=dict(config or {}))
    mod = IRModule({func.name: func})
    with ctx:
        return Sequential(pipeline())(mod, ctx)
