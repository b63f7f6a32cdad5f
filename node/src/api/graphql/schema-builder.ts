// Builds the GraphQL schema of a control snapshot: `Get { <Class>(...) : [<Class>] }` and
// `Aggregate { <Class>(where) : [{ meta { count } }] }`, one field per class. Rebuilt only
// when the snapshot version changes (the endpoint caches it).
import {
  GraphQLBoolean, GraphQLFloat, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString,
  type GraphQLFieldConfigMap, type GraphQLOutputType,
} from 'graphql';
import { isArrayType, scalarOf, type DataType } from '../../../../api/index.js';
import type { ClassState, ControlSnapshot } from '../../control/types.js';
import { Int64 } from './scalars.js';
import {
  AdditionalType, AggregateMetaType, ConsistencyLevelEnum, NearObjectInput, NearVectorInput, WhereInput,
} from './types.js';
import { resolveAggregate, resolveGet, type GraphqlContext } from './resolvers.js';

const SCALAR_TYPES: Record<string, GraphQLOutputType> = {
  text: GraphQLString,
  int: Int64,
  number: GraphQLFloat,
  boolean: GraphQLBoolean,
  date: GraphQLString,
  uuid: GraphQLString,
};

function fieldType(type: DataType): GraphQLOutputType {
  const scalar = SCALAR_TYPES[scalarOf(type)];
  return isArrayType(type) ? new GraphQLList(scalar) : scalar;
}

function classType(cls: ClassState): GraphQLObjectType {
  const def = cls.definition;
  return new GraphQLObjectType({
    name: def.class,
    description: def.description,
    fields: () => {
      const fields: GraphQLFieldConfigMap<unknown, unknown> = { _additional: { type: AdditionalType } };
      for (const p of def.properties) fields[p.name] = { type: fieldType(p.dataType[0]), description: p.description };
      return fields;
    },
  });
}

function getArgs() {
  return {
    where: { type: WhereInput },
    nearVector: { type: NearVectorInput },
    nearObject: { type: NearObjectInput },
    limit: { type: GraphQLInt },
    offset: { type: GraphQLInt },
    after: { type: GraphQLString },
    autocut: { type: GraphQLInt, description: 'Accepted for compatibility; ignored.' },
    consistencyLevel: { type: ConsistencyLevelEnum },
  };
}

function getType(classes: ClassState[]): GraphQLObjectType {
  const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
  for (const cls of classes)
    fields[cls.definition.class] = {
      type: new GraphQLList(classType(cls)),
      args: getArgs(),
      resolve: (_src, args, ctx, info) => resolveGet(cls, args, ctx as GraphqlContext, info),
    };
  return new GraphQLObjectType({ name: '_GetObjects', fields });
}

function aggregateType(classes: ClassState[]): GraphQLObjectType {
  const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
  for (const cls of classes) {
    const result = new GraphQLObjectType({ name: `_${cls.definition.class}Aggregate`, fields: { meta: { type: AggregateMetaType } } });
    fields[cls.definition.class] = {
      type: new GraphQLList(result),
      args: { where: { type: WhereInput }, consistencyLevel: { type: ConsistencyLevelEnum } },
      resolve: (_src, args, ctx) => resolveAggregate(cls, args, ctx as GraphqlContext),
    };
  }
  return new GraphQLObjectType({ name: '_AggregateObjects', fields });
}

export function buildGraphqlSchema(snap: ControlSnapshot): GraphQLSchema {
  const classes = [...snap.classes.values()].sort((a, b) => (a.definition.class < b.definition.class ? -1 : 1));
  const fields: GraphQLFieldConfigMap<unknown, unknown> = {
    _schemaVersion: { type: new GraphQLNonNull(GraphQLInt), description: 'Version of the schema this answer used.', resolve: () => snap.version },
  };
  // An object type needs at least one field, so Get and Aggregate exist once a class does.
  if (classes.length > 0) {
    fields.Get = { type: getType(classes), resolve: () => ({}) };
    fields.Aggregate = { type: aggregateType(classes), resolve: () => ({}) };
  }
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields }) });
}
