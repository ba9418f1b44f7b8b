// tt-build mock SDK: device assertions. Like a device build without the watcher, ASSERT checks nothing.
#pragma once

#ifndef ASSERT
#define ASSERT(condition, ...)
#endif
