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
  # Asio keeps freed coroutine frames and operation states per thread for reuse, 2 of a kind by
  # default; a request's chain of coroutines (session, pipeline, middleware, handler, cache) holds
  # more than that at once, so most frames went back to malloc on every request. Must be the
  # same in every translation unit (it sizes a per-thread array), hence here, for all targets.
  target_compile_definitions(${target} PRIVATE BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=16)
  if(VITRINA_SANITIZE)
    # Without vptr: its check reads the object's memory through a pipe, so with every descriptor
    # in use (the descriptor-exhaustion test) it reported each Boost error_category as an
    # invalid object and aborted the server; the other UB checks need no descriptor.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize=vptr
                                             -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# The layers, lowest first (docs/architecture.md). A domain may use only domains of a lower layer,
# and its own core.
set(VITRINA_LAYER_base 0)
set(VITRINA_LAYER_db 1)
set(VITRINA_LAYER_redis 1)
set(VITRINA_LAYER_http 1)
set(VITRINA_LAYER_telemetry 2)
set(VITRINA_LAYER_identity 2)
set(VITRINA_LAYER_catalog 3)
set(VITRINA_LAYER_auth 3)
set(VITRINA_LAYER_etl 4)
set(VITRINA_LAYER_cache 4)
set(VITRINA_LAYER_api 5)
set(VITRINA_LAYER_cli 6)

# Fails the configure step when `target` (domain `domain`, pure or not) links a Vitrina library
# of its own or a higher layer, or, when pure, anything outside the pure set.
function(vitrina_check_links domain pure)
  set(layer ${VITRINA_LAYER_${domain}})
  foreach(lib IN LISTS ARGN)
    if(lib MATCHES "^vitrina_([a-z]+)(_core|_spec)?$")
      set(other ${CMAKE_MATCH_1})
      set(kind "${CMAKE_MATCH_2}")
      if(NOT DEFINED VITRINA_LAYER_${other})
        message(FATAL_ERROR "${domain}: ${lib} belongs to no known layer")
      endif()
      set(same_domain_core FALSE)
      if(other STREQUAL domain AND NOT kind STREQUAL "" AND NOT pure)
        set(same_domain_core TRUE)
      endif()
      if(NOT same_domain_core AND NOT ${VITRINA_LAYER_${other}} LESS ${layer})
        message(FATAL_ERROR "${domain} may not link ${lib}: layers point one way "
                            "(base -> db, redis, http -> telemetry -> catalog, auth -> etl, cache -> api -> cli)")
      endif()
      if(pure AND NOT (kind STREQUAL "_core" OR other STREQUAL "base"))
        message(FATAL_ERROR "vitrina_${domain}_core is pure: it may not link the adapter ${lib}")
      endif()
    elseif(pure AND NOT lib MATCHES "^Boost::(headers|json|url)$")
      message(FATAL_ERROR "pure library ${domain} may link only base, lower cores and Boost "
                          "headers/JSON/URL, not ${lib}")
    endif()
  endforeach()
endfunction()

function(vitrina_add_library target sources libs)
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${libs})
  vitrina_target_defaults(${target})
endfunction()

# vitrina_pure_library(<domain> LIBS ...): vitrina_base from src/vitrina/base/, otherwise
# vitrina_<domain>_core from src/vitrina/<domain>/core/. No I/O library may be linked.
function(vitrina_pure_library domain)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  if(domain STREQUAL "base")
    set(dir ${CMAKE_CURRENT_SOURCE_DIR}/vitrina/base)
    set(target vitrina_base)
  else()
    set(dir ${CMAKE_CURRENT_SOURCE_DIR}/vitrina/${domain}/core)
    set(target vitrina_${domain}_core)
  endif()
  vitrina_check_links(${domain} TRUE ${ARG_LIBS})
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  vitrina_add_library(${target} "${sources}" "${ARG_LIBS}")
endfunction()

# vitrina_domain_library(<domain> [EXCLUDE files...] LIBS ...): the adapters beside the core, every
# .cpp of src/vitrina/<domain>/ but the excluded ones (built into a target of their own).
function(vitrina_domain_library domain)
  cmake_parse_arguments(ARG "" "" "LIBS;EXCLUDE" ${ARGN})
  vitrina_check_links(${domain} FALSE ${ARG_LIBS})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/vitrina/${domain}/*.cpp)
  foreach(excluded IN LISTS ARG_EXCLUDE)
    list(REMOVE_ITEM sources ${CMAKE_CURRENT_SOURCE_DIR}/vitrina/${domain}/${excluded})
  endforeach()
  vitrina_add_library(vitrina_${domain} "${sources}" "${ARG_LIBS}")
endfunction()
