# Compiler flags are per target, never global: third-party code is not built with our -Werror.
function(vitrina_target_defaults target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wconversion -Wno-sign-conversion -Wnull-dereference
    -Wimplicit-fallthrough)
  # g++ 12 at -O2/-O3 reports -Wrestrict and -Wnull-dereference inside inlined libstdc++ and Asio
  # code (known false positives, GCC bugs 105329 and 105651); Debug and sanitizer builds keep them.
  target_compile_options(${target} PRIVATE
    $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict -Wno-null-dereference>)
  target_compile_definitions(${target} PRIVATE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
  if(VITRINA_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# A module is a static library built from every .cpp in src/vitrina/<name>/.
function(vitrina_module name)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/vitrina/${name}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_library(vitrina_${name} STATIC ${sources})
  target_include_directories(vitrina_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(vitrina_${name} PUBLIC ${ARG_LIBS})
  vitrina_target_defaults(vitrina_${name})
endfunction()
