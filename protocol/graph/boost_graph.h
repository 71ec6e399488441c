// The Boost.Graph headers the graph layer uses, included as system headers so that
// warnings inside Boost (deprecated std::iterator and similar) never fail a -Werror
// build of project code. Only graph/*.cpp files include this; public graph headers
// stay free of Boost types.
#pragma once
#pragma GCC system_header

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/graph_traits.hpp>
#include <boost/graph/strong_components.hpp>
