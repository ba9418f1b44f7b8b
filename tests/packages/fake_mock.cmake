# TEST DOUBLE: stands in for the mock SDK library target when tests build with the fake emitter.
if(NOT TARGET tt_metal_mock)
  add_library(tt_metal_mock INTERFACE)
endif()
