// tt-build mock SDK: {fmt} compatibility include (see fmt/base.h).
#pragma once

#include "fmt/base.h"
