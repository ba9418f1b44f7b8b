// tt-build mock SDK: compatibility include of class Semaphore (api/semaphore.h).
#pragma once

#include "api/semaphore.h"
