// tt-build mock SDK: host API (all declarations live in tt_mock_host.hpp).
#pragma once

#include "tt-metalium/tt_mock_host.hpp"
