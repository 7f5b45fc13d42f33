from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.drop_constraint(op.f('fk_x'), 'users', type_='foreignkey', schema='s')
