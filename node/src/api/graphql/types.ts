// The GraphQL types shared by every class: filters, near-vector and near-object arguments,
// _additional fields, consistency levels. Built once; class types are built per schema version.
import {
  GraphQLEnumType, GraphQLFloat, GraphQLInputObjectType, GraphQLInt, GraphQLList, GraphQLNonNull,
  GraphQLObjectType, GraphQLString, type GraphQLInputFieldConfigMap,
} from 'graphql';
import { OPERATORS } from '../../coordinator/filters/where.js';
import { JsonValue } from './scalars.js';

export const ConsistencyLevelEnum = new GraphQLEnumType({
  name: '_ConsistencyLevel',
  values: { ONE: { value: 'ONE' }, QUORUM: { value: 'QUORUM' }, ALL: { value: 'ALL' } },
});

export const WhereOperatorEnum = new GraphQLEnumType({
  name: '_WhereOperator',
  values: Object.fromEntries(OPERATORS.map((o) => [o, { value: o }])),
});

export const WhereInput: GraphQLInputObjectType = new GraphQLInputObjectType({
  name: '_Where',
  description: 'A filter: {operator, operands} for And/Or/Not, or {operator, path, value<Type>} for a comparison.',
  fields: (): GraphQLInputFieldConfigMap => ({
    operator: { type: new GraphQLNonNull(WhereOperatorEnum) },
    operands: { type: new GraphQLList(new GraphQLNonNull(WhereInput)) },
    path: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    valueInt: { type: JsonValue },
    valueNumber: { type: JsonValue },
    valueBoolean: { type: JsonValue },
    valueString: { type: JsonValue },
    valueText: { type: JsonValue },
    valueDate: { type: JsonValue },
  }),
});

export const NearVectorInput = new GraphQLInputObjectType({
  name: '_NearVector',
  fields: {
    vector: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLFloat))) },
    distance: { type: GraphQLFloat, description: 'Only objects at most this far.' },
    certainty: { type: GraphQLFloat, description: 'Only objects at least this certain (cosine only): certainty = 1 - distance/2.' },
    targetVectors: { type: new GraphQLList(GraphQLString), description: 'Named vectors are not supported; leave empty.' },
  },
});

export const NearObjectInput = new GraphQLInputObjectType({
  name: '_NearObject',
  fields: {
    id: { type: GraphQLString },
    beacon: { type: GraphQLString },
    distance: { type: GraphQLFloat },
    certainty: { type: GraphQLFloat },
    targetVectors: { type: new GraphQLList(GraphQLString) },
  },
});

export const AdditionalType = new GraphQLObjectType({
  name: '_Additional',
  fields: {
    id: { type: GraphQLString },
    distance: { type: GraphQLFloat, description: 'Distance to the query vector (near queries only).' },
    certainty: { type: GraphQLFloat, description: '1 - distance/2 for cosine; null for other distances.' },
    vector: { type: new GraphQLList(GraphQLFloat) },
    creationTimeUnix: { type: GraphQLString, description: 'Milliseconds since the epoch, as a string (as Weaviate).' },
    lastUpdateTimeUnix: { type: GraphQLString },
  },
});

export const AggregateMetaType = new GraphQLObjectType({
  name: '_AggregateMeta',
  fields: { count: { type: GraphQLInt } },
});
